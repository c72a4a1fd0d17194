// Offline store: the metadata snapshot of every model looked up, in IndexedDB, keyed by repo and
// commit sha (immutable at a sha, so safe to keep). The token is never stored here.
const DB = 'vram-estimator';
const STORE = 'snapshots';

function open() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => {
      const s = req.result.createObjectStore(STORE, { keyPath: 'key' });
      s.createIndex('repo_revision', ['repo', 'revision']);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function tx(mode, fn) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const t = db.transaction(STORE, mode);
      const result = fn(t.objectStore(STORE));
      t.oncomplete = () => resolve(result?.result ?? result);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    });
  } finally {
    db.close();
  }
}

/** Saves a snapshot: {repo (canonical id), typed (the id as typed, e.g. a legacy alias), revision, sha, snapshot (the core's JSON text)}. */
export function save({ repo, typed = repo, revision, sha, snapshot }) {
  return tx('readwrite', (s) => s.put({ key: `${repo}@${sha}`, repo, typed, revision, sha, bytes: snapshot.length, savedAt: new Date().toISOString(), snapshot }));
}

/** The newest snapshot of repo at revision (a branch name or a sha), or null. */
export async function find(repo, revision) {
  const all = await list(true);
  const matches = all.filter((r) => (r.repo === repo || r.typed === repo) && (r.revision === revision || r.sha === revision || r.sha.startsWith(revision)));
  matches.sort((a, b) => b.savedAt.localeCompare(a.savedAt));
  return matches[0] || null;
}

/** Every stored entry, newest first (without the snapshot text unless asked). */
export async function list(withSnapshots = false) {
  const rows = await tx('readonly', (s) => s.getAll());
  const out = (rows || []).map((r) => (withSnapshots ? r : { ...r, snapshot: undefined }));
  return out.sort((a, b) => b.savedAt.localeCompare(a.savedAt));
}

export function remove(key) { return tx('readwrite', (s) => s.delete(key)); }
export function clear() { return tx('readwrite', (s) => s.clear()); }
