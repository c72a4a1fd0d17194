// Offline store: the metadata snapshot of every model looked up, in IndexedDB, keyed by repo and
// commit sha (immutable at a sha, so safe to keep). The token is never stored here. Used by the core's
// worker (core-api.js).
//
// Two object stores: `entries` (what the saved list shows: repo, revision, sha, size, date) and `snapshots` (the
// snapshot text, megabytes for a large repo), so that listing what is kept never reads the snapshots.
// Version 1 kept both in `snapshots`; the upgrade copies each record's fields into `entries`.
const DB = 'vram-estimator';
const ENTRIES = 'entries';
const SNAPSHOTS = 'snapshots';

const META = ['key', 'repo', 'typed', 'revision', 'sha', 'bytes', 'savedAt'];
const metaOf = (r) => Object.fromEntries(META.map((k) => [k, r[k]]));

function open() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 2);
    req.onupgradeneeded = (event) => {
      const db = req.result;
      const entries = db.createObjectStore(ENTRIES, { keyPath: 'key' });
      if (event.oldVersion < 1) {
        db.createObjectStore(SNAPSHOTS, { keyPath: 'key' });
        return;
      }
      req.transaction.objectStore(SNAPSHOTS).openCursor().onsuccess = (e) => {
        const cursor = e.target.result;
        if (!cursor) return;
        entries.put(metaOf(cursor.value));
        cursor.continue();
      };
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function tx(stores, mode, fn) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const t = db.transaction(stores, mode);
      const result = fn(...stores.map((s) => t.objectStore(s)));
      t.oncomplete = () => resolve(result?.result ?? result);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    });
  } finally {
    db.close();
  }
}

/**
 * Saves a snapshot: {repo (canonical id), typed (the id as typed, e.g. a legacy alias), revision, sha, snapshot (the
 * core's JSON text)}. Saving the same commit again under its canonical id keeps the alias it was first typed as
 * ("gpt2" for openai-community/gpt2), so the alias still finds it offline.
 */
export function save({ repo, typed = repo, revision, sha, snapshot }) {
  const key = `${repo}@${sha}`;
  return tx([ENTRIES, SNAPSHOTS], 'readwrite', (entries, snapshots) => {
    entries.get(key).onsuccess = (e) => {
      const alias = typed !== repo ? typed : e.target.result?.typed ?? typed;
      entries.put({ key, repo, typed: alias, revision, sha, bytes: snapshot.length, savedAt: new Date().toISOString() });
    };
    snapshots.put({ key, snapshot });
  });
}

/** The snapshot text kept under `key`, or null. */
async function snapshotOf(key) {
  const row = await tx([SNAPSHOTS], 'readonly', (s) => s.get(key));
  return row?.snapshot ?? null;
}

/** The newest snapshot of repo at revision (a branch name or a sha), with its entry's fields, or null. */
export async function find(repo, revision) {
  const matches = (await list()).filter((r) => (r.repo === repo || r.typed === repo) && (r.revision === revision || r.sha === revision || r.sha.startsWith(revision)));
  if (!matches.length) return null;
  const snapshot = await snapshotOf(matches[0].key);
  return snapshot === null ? null : { ...matches[0], snapshot };
}

/** Every stored entry, newest first; with `withSnapshots`, each with its snapshot text. */
export async function list(withSnapshots = false) {
  const rows = (await tx([ENTRIES], 'readonly', (s) => s.getAll())) || [];
  rows.sort((a, b) => b.savedAt.localeCompare(a.savedAt));
  if (!withSnapshots) return rows;
  return Promise.all(rows.map(async (r) => ({ ...r, snapshot: await snapshotOf(r.key) })));
}

export function remove(key) { return tx([ENTRIES, SNAPSHOTS], 'readwrite', (e, s) => { e.delete(key); s.delete(key); }); }
export function clear() { return tx([ENTRIES, SNAPSHOTS], 'readwrite', (e, s) => { e.clear(); s.clear(); }); }
