// Fine-tuning settings from query parameters (embed.html) or element attributes (<vram-estimate>), named by the
// core's option table — never a list of our own: each row with `training: true` in vocabularies().options is read
// under its key (micro_batch), its key with dashes (micro-batch) and each of its command-line spellings without the
// leading dashes (seq-len for seq_tokens, lora-rank, grad-checkpointing …). `mode` names the method as the CLI's
// --train does (full, lora, qlora, freeze); absent or "inference" keeps the inference estimate. Values stay text:
// the core parses and checks them, so a bad value gets the core's message.
export function trainingOptionsFrom(get, vocab) {
  const mode = get('mode');
  if (!mode || mode === 'inference') return {};
  const o = { train: mode };
  for (const row of vocab.options.filter((r) => r.training && r.key !== 'train')) {
    const names = [row.key, row.key.replace(/_/g, '-'), ...row.flags.split(' ').map((f) => f.replace(/^-+/, ''))];
    for (const name of names) {
      const v = get(name);
      if (v !== null && v !== undefined && v !== '') { o[row.key] = v; break; }
    }
  }
  return o;
}

/** The attribute / parameter names trainingOptionsFrom() reads, for an element's attribute observer. */
export function trainingNames(vocab) {
  return ['mode', ...vocab.options.filter((r) => r.training && r.key !== 'train')
    .flatMap((r) => [r.key, r.key.replace(/_/g, '-'), ...r.flags.split(' ').map((f) => f.replace(/^-+/, ''))])];
}

/** Adds the training settings to a link to the full page (mode=…&micro_batch=…), as the page will read them. */
export function withTraining(href, training) {
  if (!href || !training.train) return href;
  const u = new URL(href);
  u.searchParams.set('mode', training.train);
  for (const [k, v] of Object.entries(training)) if (k !== 'train') u.searchParams.set(k, String(v));
  return u.href;
}
