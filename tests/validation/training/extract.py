# Regenerates runs.jsonl and rejected.jsonl (tests/validation/training/) from git clones of the public
# sources, so every quote is taken verbatim (git show <commit>:<path>), never typed by hand.
#
#   TRAINING_SOURCES=/path/to/clones python3 extract.py runs.jsonl rejected.jsonl
#
# TRAINING_SOURCES holds one clone per source repo, named <owner>+<name> (e.g. Lightning-AI+litgpt,
# pytorch+torchtune, huggingface+peft, foundation-model-stack+fms-acceleration, artidoro+qlora,
# unslothai+unsloth), each
# with the commits named below. The PR #961 row is typed from the pull request page (no git object).
import json, os, subprocess, csv, io, re, sys

M = os.environ.get("TRAINING_SOURCES", "/work/.mirror").rstrip("/") + "/"
def gitdir(repo):
    return M + repo + "/repo" if os.path.isdir(M + repo + "/repo") else M + repo
def show(repo, commit, path):
    return subprocess.check_output(["git", "-C", gitdir(repo), "show", f"{commit}:{path}"], text=True)
def line_of(text, needle_re):
    hits = [l for l in text.splitlines() if re.search(needle_re, l)]
    if len(hits) != 1:
        sys.exit(f"quote not unique for {needle_re!r}: {len(hits)} hits")
    return hits[0]

rows = []
def add(**r):
    base = dict(lora=None, quantization=None, optimizer_in_backward=False, activation_offloading=False,
                compile=False, offload=None, notes="")
    base.update(r)
    rows.append(base)

GB, GiB, MiB = 10**9, 2**30, 2**20

# ---------------------------------------------------------------- litgpt config_hub table
LG = "Lightning-AI+litgpt"; LGC = "00af8b0d9b43eaa3f8c812e3e8bd53ef38cbb49d"
lg_readme = show(LG, LGC, "config_hub/finetune/README.md")
blame = subprocess.check_output(["git", "-C", gitdir(LG), "blame", "-l", "-s", LGC, "--", "config_hub/finetune/README.md"], text=True)
row_commit = {}
for bl in blame.splitlines():
    c, rest = bl.split(" ", 1)
    row_commit[rest.split(")", 1)[-1].strip() if ")" in rest[:12] else rest.strip()] = c
def lg_commit_for(line):
    for k, c in row_commit.items():
        if k.endswith(line.strip()) or line.strip() in k:
            return c
    sys.exit("no blame for " + line)

LG_MODELS = {  # litgpt checkpoint_dir -> (hub repo, family, architecture)
    "falcon-7b": ("tiiuae/falcon-7b", "falcon", "FalconForCausalLM"),
    "gemma-2b": ("google/gemma-2b", "gemma", "GemmaForCausalLM"),
    "gemma-7b": ("google/gemma-7b", "gemma", "GemmaForCausalLM"),
    "gemma2-2b": ("google/gemma-2-2b", "gemma", "Gemma2ForCausalLM"),
    "gemma2-9b": ("google/gemma-2-9b", "gemma", "Gemma2ForCausalLM"),
    "llama-2-7b": ("meta-llama/Llama-2-7b-hf", "llama", "LlamaForCausalLM"),
    "llama-3-8b": ("meta-llama/Meta-Llama-3-8B", "llama", "LlamaForCausalLM"),
    "llama-3.1-8b": ("meta-llama/Llama-3.1-8B", "llama", "LlamaForCausalLM"),
    "llama-3.2-1B": ("meta-llama/Llama-3.2-1B", "llama", "LlamaForCausalLM"),
    "llama-3.2-3B": ("meta-llama/Llama-3.2-3B", "llama", "LlamaForCausalLM"),
    "mistral-7b-v0.2": ("unsloth/Mistral-7B-v0.2", "mistral", "MistralForCausalLM"),
    "mistral-7b": ("mistralai/Mistral-7B-v0.1", "mistral", "MistralForCausalLM"),
    "phi-2": ("microsoft/phi-2", "phi", "PhiForCausalLM"),
    "phi-3": ("microsoft/Phi-3-mini-4k-instruct", "phi", "Phi3ForCausalLM"),
    "stablelm-base-alpha-3b": ("stabilityai/stablelm-base-alpha-3b", "stablelm", "GPTNeoXForCausalLM"),
    "tiny-llama": ("TinyLlama/TinyLlama-1.1B-intermediate-step-1431k-3T", "llama", "LlamaForCausalLM"),
}
LG_NOTES = {
    "gemma2-2b": "the table's Model column says gemma-2b, but the yaml's checkpoint_dir is google/gemma-2-2b",
    "llama-3.1-8b": "yaml checkpoint_dir meta-llama/Meta-Llama-3.1-8B, the repo's former name (now meta-llama/Llama-3.1-8B)",
    "tiny-llama": "checkpoint TinyLlama-1.1B-intermediate-step-1431k-3T",
}
LG_YAML_DIR = {"gemma2b": "gemma2-2b", "llama-3.2-1b": "llama-3.2-1B", "llama-3.2-3b": "llama-3.2-3B"}
LORA_KEYS = [("lora_query", "q"), ("lora_key", "k"), ("lora_value", "v"), ("lora_projection", "attn.proj"),
             ("lora_mlp", "mlp"), ("lora_head", "lm_head")]
def yaml_get(y, key):
    m = re.search(rf"^\s*{key}:\s*(.*?)\s*(#.*)?$", y, re.M)
    return m.group(1) if m else None

rejected = []
for line in lg_readme.splitlines():
    m = re.match(r"\|\s*([\w.\-]+)/(full|lora|qlora)\.yaml\s*\|\s*([^|]+?)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|\s*(\dx)A10G\s*\|\s*([^|]+?)\s*\|\s*([^|]+?)\s*\|\s*([^|]+?)\s*\|", line)
    if not m:
        continue
    d, method, model, epochs, seqlen, mb, ngpu, runtime, cost, peak = m.groups()
    ydir = LG_YAML_DIR.get(d, d)
    commit = lg_commit_for(line)
    ypath = f"config_hub/finetune/{ydir}/{method}.yaml"
    y = show(LG, commit, ypath)
    repo, family, arch = LG_MODELS[ydir]
    n = int(ngpu[0])
    ydev = int(yaml_get(y, "devices"))
    ymb = int(yaml_get(y, "  micro_batch_size") or yaml_get(y, "micro_batch_size"))
    src_url = f"https://github.com/Lightning-AI/litgpt/blob/{commit}/config_hub/finetune/README.md"
    rid = f"litgpt-{ydir}-{method}-{n}xA10G"
    if n > 1 and method != "full":
        rejected.append(dict(source_url=src_url, quote=line.strip(), why=(
            f"{n}xA10G LoRA/QLoRA row: litgpt/finetune/lora.py switches to FSDP with activation checkpointing when devices>1 "
            f"(and refuses quantize with devices>1), yet the row repeats the 1xA10G peak to the hundredth; which setting ran is not knowable")))
        continue
    if n > 1 and ydev != n:
        rejected.append(dict(source_url=src_url, quote=line.strip(), why=(
            f"table says {n}xA10G but {ypath} at {commit[:12]} sets devices: {ydev}; FSDP per-GPU memory depends on the count")))
        continue
    if n > 1 and method == "full" and "OOM" not in peak and ydir == "tiny-llama":
        rejected.append(dict(source_url=src_url, quote=line.strip(), why="4xA10G full row repeats the 1xA10G figure (14.10 GB) exactly; FSDP over 4 GPUs cannot give the same peak"))
        continue
    if ymb != int(mb):
        rejected.append(dict(source_url=src_url, quote=line.strip(), why=f"micro batch {mb} in the table but {ymb} in {ypath} at {commit[:12]}"))
        continue
    q = yaml_get(y, "quantize")
    lora = None
    if method != "full":
        tg = [t for k, t in LORA_KEYS if yaml_get(y, k) == "true"]
        lora = dict(rank=int(yaml_get(y, "lora_r")), alpha=int(yaml_get(y, "lora_alpha")), targets=tg,
                    targets_note="litgpt names: q/k/v are slices of the fused attn qkv Linear; attn.proj = o_proj; mlp = every MLP Linear; lm_head = output head")
    quant = None
    if method == "qlora":
        assert q == "bnb.nf4", q
        quant = dict(type="nf4", double_quant=False, compute_dtype="bfloat16", library="bitsandbytes via lightning BitsandbytesPrecision")
    oom = "OOM" in peak
    add(id=rid, source="litgpt config_hub/finetune/README.md (automated benchmark table)",
        source_url=src_url,
        settings_urls=[f"https://github.com/Lightning-AI/litgpt/blob/{commit}/{ypath}",
                       f"https://github.com/Lightning-AI/litgpt/blob/{commit}/litgpt/finetune/{'full' if method=='full' else 'lora'}.py"],
        quote=line.strip(), settings_source="table row + the row's yaml at the commit that last changed the row",
        framework="litgpt", model=repo, family=family, architecture=arch, method=method, lora=lora, quantization=quant,
        precision=("bf16-true (base weights NF4, LoRA weights, grads and activations bf16; PagedAdamW keeps its states in fp32)" if method == "qlora"
                   else "bf16-true (weights, grads, activations and AdamW states in bf16)"),
        optimizer=("bitsandbytes PagedAdamW (32-bit states, paged)" if method == "qlora" else "torch.optim.AdamW (states in param dtype: bf16)"),
        gradient_checkpointing=(n > 1),
        attention=("eager: Gemma 2 sets attention_logit_softcapping, and litgpt/model.py then computes scores = q @ k.mT explicitly ('with softcapping we cannot use SDPA'), softmax in fp32 then cast back" if ydir.startswith("gemma2") else "sdpa (litgpt CausalSelfAttention uses F.scaled_dot_product_attention)"),
        loss=("lm_head chunked by 128 tokens + chunked cross-entropy (lora.py: model(input_ids, lm_head_chunk_size=128))" if method != "full"
              else "full logits, cross-entropy chunked by 128 (full.py)"),
        micro_batch=int(mb), seq_len=int(seqlen),
        seq_len_kind="max: Alpaca2k samples truncated at 512, each batch padded to its longest sample",
        n_gpus=n, distribution=("fsdp-full-shard (lightning FSDPStrategy, auto_wrap Block, activation checkpointing Block)" if n > 1 else "none"),
        gpu="NVIDIA A10G 24 GB",
        outcome="oom" if oom else "ok",
        measured=None if oom else float(peak.split()[0]), unit="GB (1e9 B)",
        measured_bytes=None if oom else round(float(peak.split()[0]) * GB),
        quantity="torch.cuda.max_memory_allocated() on rank 0 ('Memory used: ... / 1e9 GB' printed by litgpt/finetune/*.py)",
        notes="; ".join(x for x in [("OOM on a 24 GB A10G" if oom else ""), LG_NOTES.get(ydir, "")] if x))

# ---------------------------------------------------------------- torchtune LoRA tutorial (Llama-2-7B)
TT = "pytorch+torchtune"
c = "ff594c23113891c99050f730c6be0aeacf511b2f"
t = show(TT, c, "docs/source/tutorials/lora_finetune.rst")
cfg_c = c
cfg = "recipes/configs/llama2/7B_lora_single_device.yaml"
items = re.findall(r"\* - (Q and V only|all layers)\n\s+- (\d+)\n\s+- (\d+)\n\s+- \**([\d.]+) GB\**", t)
assert len(items) == 4, items
for layers, r, a, gb in items:
    quote = [l for l in t.splitlines() if gb + " GB" in l][0].strip()
    tg = ["q_proj", "v_proj"] if layers == "Q and V only" else ["q_proj", "k_proj", "v_proj", "output_proj", "mlp (w1,w2,w3)", "output"]
    add(id=f"torchtune-llama2-7b-lora-r{r}-{'qv' if 'Q' in layers else 'all'}",
        source="torchtune docs/source/tutorials/lora_finetune.rst (LoRA memory trade-off table)",
        source_url=f"https://github.com/pytorch/torchtune/blob/{c}/docs/source/tutorials/lora_finetune.rst",
        settings_urls=[f"https://github.com/pytorch/torchtune/blob/{cfg_c}/{cfg}",
                       f"https://github.com/pytorch/torchtune/blob/{cfg_c}/torchtune/utils/memory.py"],
        quote=f"{layers} | {r} | {a} | {quote}", settings_source="tutorial text ('all use llama2/7B_lora_single_device, default batch size of 2') + that config at the same commit",
        framework="torchtune", model="meta-llama/Llama-2-7b-hf", family="llama", architecture="LlamaForCausalLM",
        method="lora", lora=dict(rank=int(r), alpha=int(a), targets=tg),
        precision="bf16 (dtype: bf16: weights, grads, optimizer states in bf16)", optimizer="torch.optim.AdamW (states bf16)",
        gradient_checkpointing=True, attention="sdpa (torchtune CausalSelfAttention)", loss="torch.nn.CrossEntropyLoss on full logits",
        micro_batch=2, seq_len=512, seq_len_kind="max: alpaca_cleaned_dataset max_seq_len=512 default, batch padded to longest",
        n_gpus=1, distribution="none", gpu="unstated (tutorial)", outcome="ok",
        measured=float(gb), unit="GB (1e9 B)", measured_bytes=round(float(gb) * GB),
        quantity="peak memory reserved during training (the QLoRA tutorial's table gives the same 15.57 GB as 'Peak memory reserved, training'); utils.memory_stats_log divides by 1e9",
        notes="r=8 'all layers' row: tutorial config block sets lora_attn_modules q,k,v,output_proj + apply_lora_to_mlp + apply_lora_to_output")

c = "0914d5cfb5a34bf14a72e36b9ddebc64904763d1"
t = show(TT, c, "docs/source/tutorials/qlora_finetune.rst")
ql = line_of(t, r"^QLoRA\s+9\.13 GB")
add(id="torchtune-llama2-7b-qlora-r8-tutorial",
    source="torchtune docs/source/tutorials/qlora_finetune.rst (LoRA vs QLoRA reserved memory)",
    source_url=f"https://github.com/pytorch/torchtune/blob/{c}/docs/source/tutorials/qlora_finetune.rst",
    settings_urls=[f"https://github.com/pytorch/torchtune/blob/{c}/recipes/configs/llama2/7B_qlora_single_device.yaml"],
    quote=ql.strip(), settings_source="tutorial command 'tune run lora_finetune_single_device --config llama2/7B_qlora_single_device' + that config at the same commit",
    framework="torchtune", model="meta-llama/Llama-2-7b-hf", family="llama", architecture="LlamaForCausalLM",
    method="qlora", lora=dict(rank=8, alpha=16, targets=["q_proj", "v_proj", "k_proj", "output_proj", "mlp (w1,w2,w3)"]),
    quantization=dict(type="nf4", double_quant=True, compute_dtype="bfloat16", library="torchao NF4Tensor (block 64, scaler block 256: double quantization of the scales)"),
    precision="bf16", optimizer="torch.optim.AdamW (states bf16)", gradient_checkpointing=True,
    attention="sdpa", loss="torch.nn.CrossEntropyLoss on full logits",
    micro_batch=2, seq_len=512, seq_len_kind="max: alpaca_cleaned_dataset max_seq_len=512 default, batch padded to longest",
    n_gpus=1, distribution="none", gpu="unstated", outcome="ok",
    measured=9.29, unit="GB (1e9 B)", measured_bytes=round(9.29 * GB),
    quantity="peak memory reserved, training (column header 'Peak memory reserved, training')",
    notes="torchtune QLoRA quantizes only the Linear layers that carry LoRA (tutorial: k_proj/output_proj without LoRA stay bf16); here every attention and MLP projection carries LoRA")
add(id="torchtune-llama2-7b-lora-r8-qv-tutorial-reserved",
    source="torchtune docs/source/tutorials/qlora_finetune.rst (LoRA vs QLoRA reserved memory)",
    source_url=f"https://github.com/pytorch/torchtune/blob/{c}/docs/source/tutorials/qlora_finetune.rst",
    settings_urls=[f"https://github.com/pytorch/torchtune/blob/{c}/recipes/configs/llama2/7B_lora_single_device.yaml"],
    quote=line_of(t, r"^LoRA\s+13\.98 GB").strip(), settings_source="same as torchtune-llama2-7b-lora-r8-qv (same figure, second source)",
    framework="torchtune", model="meta-llama/Llama-2-7b-hf", family="llama", architecture="LlamaForCausalLM",
    method="lora", lora=dict(rank=8, alpha=16, targets=["q_proj", "v_proj"]),
    precision="bf16", optimizer="torch.optim.AdamW (states bf16)", gradient_checkpointing=True,
    attention="sdpa", loss="torch.nn.CrossEntropyLoss on full logits",
    micro_batch=2, seq_len=512, seq_len_kind="max: alpaca_cleaned_dataset max_seq_len=512 default, batch padded to longest",
    n_gpus=1, distribution="none", gpu="unstated", outcome="ok",
    measured=15.57, unit="GB (1e9 B)", measured_bytes=round(15.57 * GB),
    quantity="peak memory reserved, training", notes="duplicate of torchtune-llama2-7b-lora-r8-qv: count once in any statistic")

# ---------------------------------------------------------------- torchtune README table May 2024
c = "0217d44c2e1e372b34628767745c1f6538086a81"
t = show(TT, c, "README.md")
tt_rows = [
    (r"^\| 1 x RTX 4090 \|\s+QLoRA", "qlora", 1, "7B_qlora_single_device", 12.3),
    (r"^\| 1 x RTX 4090 \|\s+LoRA", "lora", 1, "7B_lora_single_device", 21.3),
    (r"^\| 2 x RTX 4090 \|\s+LoRA", "lora", 2, "7B_lora", 16.2),
    (r"^\| 1 x RTX 4090 \|\s+Full finetune \*", "full", 1, "7B_full_low_memory", 24.1),
    (r"^\| 4 x RTX 4090 \|\s+Full finetune ", "full", 4, "7B_full", 24.1),
]
for rx, method, n, cfgname, gb in tt_rows:
    q = line_of(t, rx).strip()
    y = show(TT, c, f"recipes/configs/llama2/{cfgname}.yaml")
    ac = yaml_get(y, "enable_activation_checkpointing") == "True"
    lora = quant = None
    if method == "lora":
        lora = dict(rank=8, alpha=16, targets=["q_proj", "v_proj"])
    if method == "qlora":
        lora = dict(rank=8, alpha=16, targets=["q_proj", "v_proj", "k_proj", "output_proj", "mlp (w1,w2,w3)"])
        quant = dict(type="nf4", double_quant=True, compute_dtype="bfloat16", library="torchao NF4Tensor")
    opt = {"7B_full_low_memory": "bitsandbytes.optim.PagedAdamW (32-bit states, paged), fused into backward (optimizer_in_bwd: True)",
           }.get(cfgname, "torch.optim.AdamW (states bf16)")
    add(id=f"torchtune-readme-2024-05-llama2-7b-{method}-{n}x4090",
        source="torchtune README.md memory table (May 2024)",
        source_url=f"https://github.com/pytorch/torchtune/blob/{c}/README.md",
        settings_urls=[f"https://github.com/pytorch/torchtune/blob/{c}/recipes/configs/llama2/{cfgname}.yaml"],
        quote=q, settings_source="batch size and seq length stated in the row; recipe config = the default single-device/distributed config at the same commit (inferred from the footnotes '*= Uses PagedAdamW', '**= Uses torch compile')",
        framework="torchtune", model="meta-llama/Llama-2-7b-hf", family="llama", architecture="LlamaForCausalLM",
        method=method, lora=lora, quantization=quant, precision="bf16", optimizer=opt,
        optimizer_in_backward=(cfgname == "7B_full_low_memory"), compile=(method == "qlora"),
        gradient_checkpointing=ac, attention="sdpa", loss="torch.nn.CrossEntropyLoss on full logits",
        micro_batch=4, seq_len=2048, seq_len_kind="stated 'Seq Length = 2048' (how inputs reached 2048 not stated)",
        n_gpus=n, distribution=("fsdp-full-shard (torchtune distributed recipe)" if n > 1 else "none"),
        gpu="NVIDIA RTX 4090 24 GB", outcome="ok", measured=gb, unit="GB", measured_bytes=round(gb * GB),
        quantity="unstated ('Peak Memory per GPU (GB)'); PR #961 treats it as peak allocated",
        notes=("disputed: torchtune PR #961 could not reproduce 24.1 (20.2 GB peak allocated; 22.3 on an A100), see torchtune-pr961-*" if cfgname == "7B_full_low_memory" else ""))

q = line_of(t, r"^\| 8 x A100\s+\|\s+LoRA").strip()
add(id="torchtune-readme-2024-05-llama2-70b-lora-8xA100",
    source="torchtune README.md memory table (May 2024)",
    source_url=f"https://github.com/pytorch/torchtune/blob/{c}/README.md",
    settings_urls=[f"https://github.com/pytorch/torchtune/blob/{c}/recipes/configs/llama2/70B_lora.yaml"],
    quote=q, settings_source="batch size and seq length stated in the row; LoRA targets/rank, dtype and checkpointing from llama2/70B_lora.yaml at the same commit (the only 70B config there)",
    framework="torchtune", model="meta-llama/Llama-2-70b-hf", family="llama", architecture="LlamaForCausalLM",
    method="lora", lora=dict(rank=16, alpha=32, targets=["q_proj", "v_proj", "k_proj"]),
    precision="bf16", optimizer="torch.optim.AdamW (states bf16)", gradient_checkpointing=True,
    attention="sdpa", loss="torch.nn.CrossEntropyLoss on full logits",
    micro_batch=4, seq_len=4096, seq_len_kind="stated 'Seq Length = 4096' (how inputs reached 4096 not stated)",
    n_gpus=8, distribution="fsdp-full-shard (torchtune lora_finetune_distributed)", gpu="NVIDIA A100 (40 or 80 GB not stated)",
    outcome="ok", measured=26.4, unit="GB", measured_bytes=round(26.4 * GB),
    quantity="unstated ('Peak Memory per GPU (GB)'); PR #961 treats the table as peak allocated")

add(id="torchtune-pr961-llama2-7b-full-low-memory-bs4-2048",
    source="torchtune pull request #961 'Update README table' (rohan-varma, 2024-05-10)",
    source_url="https://github.com/pytorch/torchtune/pull/961",
    settings_urls=["https://github.com/pytorch/torchtune/blob/30c75d4a735af31391a1a0ceb529b63936bcb134/recipes/configs/llama2/7B_full_low_memory.yaml"],
    quote="Can't reproduce 24.1GB on a single device full finetune and instead seeing 20.2 peak memory allocated (and similar for reserved) ... I ensured all inputs are seq_len=2048 ... tune run full_finetune_single_device --config recipes/configs/llama2/7B_full_low_memory.yaml batch_size=4",
    settings_source="command and input shape in the PR text + the config at the last main commit before the PR",
    framework="torchtune", model="meta-llama/Llama-2-7b-hf", family="llama", architecture="LlamaForCausalLM",
    method="full", precision="bf16",
    optimizer="bitsandbytes.optim.PagedAdamW (32-bit states, paged), fused into backward (optimizer_in_bwd: True)",
    optimizer_in_backward=True, gradient_checkpointing=True, attention="sdpa", loss="torch.nn.CrossEntropyLoss on full logits",
    micro_batch=4, seq_len=2048, seq_len_kind="fixed: every input padded to 2048 by the reporter",
    n_gpus=1, distribution="none", gpu="unstated (reviewer asks whether it was a 4090)", outcome="ok",
    measured=20.2, unit="GB (1e9 B)", measured_bytes=round(20.2 * GB), quantity="peak memory allocated (torchtune memory_stats_log, /1e9)",
    notes="same PR: a maintainer reports 22.3 on an A100 with the same command (quantity not stated) — a 10 % spread between two runs of one setting")

# ---------------------------------------------------------------- torchtune optimization-flags table (Llama 3.2 3B)
c = "1814feb17a9038e1a8053ce93111bd26774a8db6"
t = show(TT, c, "README.md")
base_q = "Baseline: " + "; ".join(l.strip("- *").replace("**","") for l in t.splitlines() if re.match(r"^- \*\*(Model|Batch size|Max seq len|Precision|Hardware|Recipe):", l))
steps = [
    ("packed", r"^\| \[\+ Packed Dataset\]", dict(compile=False, ce="torch.nn.CrossEntropyLoss on full logits", ac=False, oib=False, off=False, opt="torch.optim.AdamW (states bf16)"), 60.0),
    ("compile", r"^\| \[\+ Compile\]", dict(compile=True, ce="torch.nn.CrossEntropyLoss on full logits", ac=False, oib=False, off=False, opt="torch.optim.AdamW (states bf16)"), 51.0),
    ("chunked-ce", r"^\| \[\+ Chunked Cross Entropy\]", dict(compile=True, ce="CEWithChunkedOutputLoss (8 chunks, upcast per chunk)", ac=False, oib=False, off=False, opt="torch.optim.AdamW (states bf16)"), 42.9),
    ("ac", r"^\| \[\+ Activation Checkpointing\]", dict(compile=True, ce="CEWithChunkedOutputLoss", ac=True, oib=False, off=False, opt="torch.optim.AdamW (states bf16)"), 24.9),
    ("opt-in-bwd", r"^\| \[\+ Fuse optimizer step", dict(compile=True, ce="CEWithChunkedOutputLoss", ac=True, oib=True, off=False, opt="torch.optim.AdamW (states bf16)"), 23.1),
    ("act-offload", r"^\| \[\+ Activation Offloading\]", dict(compile=True, ce="CEWithChunkedOutputLoss", ac=True, oib=True, off=True, opt="torch.optim.AdamW (states bf16)"), 21.8),
    ("adamw8bit", r"^\| \[\+ 8-bit AdamW\]", dict(compile=True, ce="CEWithChunkedOutputLoss", ac=True, oib=True, off=True, opt="bitsandbytes AdamW8bit (which class exactly is not stated)"), 17.6),
    ("lora", r"^\| \[LoRA\]", dict(compile=True, ce="CEWithChunkedOutputLoss", ac=True, oib=False, off=True, opt="torch.optim.AdamW (states bf16)"), 8.5),
    ("qlora", r"^\| \[QLoRA\]", dict(compile=True, ce="CEWithChunkedOutputLoss", ac=True, oib=False, off=True, opt="torch.optim.AdamW (states bf16)"), 4.6),
]
for name, rx, s, gib in steps:
    q = line_of(t, rx).strip()
    method = name if name in ("lora", "qlora") else "full"
    lora = quant = None
    if method != "full":
        lora = dict(rank=64, alpha=128, targets=["q_proj", "v_proj", "output_proj", "mlp (w1,w2,w3)"])
    if method == "qlora":
        quant = dict(type="nf4", double_quant=True, compute_dtype="bfloat16", library="torchao NF4Tensor")
    add(id=f"torchtune-flags-llama3.2-3b-{name}",
        source="torchtune README.md 'Optimization flags' table (cumulative techniques)",
        source_url=f"https://github.com/pytorch/torchtune/blob/{c}/README.md",
        settings_urls=[f"https://github.com/pytorch/torchtune/blob/{c}/recipes/configs/llama3_2/3B_{'full' if method=='full' else method}_single_device.yaml"],
        quote=base_q + " || " + q,
        settings_source="baseline stated above the table; each row adds its technique to all rows above (except LoRA/QLoRA: no optimizer_in_bwd, no 8-bit AdamW, as the text says); LoRA rank/targets from the default 3B_lora/qlora_single_device config at the same commit (not stated in the table)",
        framework="torchtune", model="meta-llama/Llama-3.2-3B", family="llama", architecture="LlamaForCausalLM",
        method=method, lora=lora, quantization=quant, precision="bf16", optimizer=s["opt"],
        optimizer_in_backward=s["oib"], activation_offloading=s["off"], compile=s["compile"],
        gradient_checkpointing=s["ac"], attention="sdpa", loss=s["ce"],
        micro_batch=2, seq_len=4096, seq_len_kind="fixed: dataset packed to max sequence length 4096",
        n_gpus=1, distribution="none", gpu="NVIDIA A100", outcome="ok",
        measured=gib, unit="GiB", measured_bytes=round(gib * GiB), quantity="peak memory active (torch.cuda.memory_stats()['active_bytes.all.peak'])",
        notes="torch.compile changes saved activations (the table shows -15 % from compile alone): an estimator without a compile term should expect to over-estimate compiled rows")

# ---------------------------------------------------------------- PEFT accelerate docs (Llama-2-70B, multi-GPU)
PF = "huggingface+peft"
c = "6008f272a565f56c146c5d9fd78d00cb24392d7b"
ds = show(PF, c, "docs/source/accelerate/deepspeed.md")
fs = show(PF, c, "docs/source/accelerate/fsdp.md")
common = dict(framework="transformers Trainer + TRL SFTTrainer + PEFT (examples/sft/train.py)", model="meta-llama/Llama-2-70b-hf",
              family="llama", architecture="LlamaForCausalLM", attention="flash_attention_2", loss="transformers LlamaForCausalLM loss on full logits",
              seq_len=2048, seq_len_kind="fixed: packing True, max_seq_len 2048", outcome="ok",
              quantity="unstated ('memory consumed per GPU'; the 8xH100 LoRA figure is read from a GPU-dashboard screenshot, i.e. driver-level used memory)")
add(id="peft-docs-llama2-70b-qlora-dsz3-2gpu", source="PEFT docs accelerate/deepspeed.md (QLoRA + ZeRO-3)",
    source_url=f"https://github.com/huggingface/peft/blob/{c}/docs/source/accelerate/deepspeed.md",
    settings_urls=[f"https://github.com/huggingface/peft/blob/{c}/examples/sft/run_peft_qlora_deepspeed_stage3.sh",
                   f"https://github.com/huggingface/peft/blob/{c}/examples/sft/configs/deepspeed_config_z3_qlora.yaml"],
    quote=line_of(ds, r"36\.6 GB").strip(), settings_source="launch command and accelerate config printed in the same page",
    method="qlora", lora=dict(rank=8, alpha=16, targets=["all-linear"]),
    quantization=dict(type="nf4", double_quant=True, compute_dtype="bfloat16", storage_dtype="bfloat16", library="bitsandbytes (transformers BitsAndBytesConfig)"),
    precision="bf16 mixed (accelerate mixed_precision bf16, --bf16 True); base stored bf16-packed 4-bit",
    optimizer="transformers default adamw_torch (fp32 states for the fp32 LoRA params)", gradient_checkpointing=True,
    micro_batch=2, n_gpus=2, distribution="deepspeed-zero3", offload="none", gpu="2 x 40 GB GPUs (model not named)",
    measured=36.6, unit="GB", measured_bytes=round(36.6 * GB), **common)
add(id="peft-docs-llama2-70b-qlora-fsdp-offload-2gpu", source="PEFT docs accelerate/fsdp.md (QLoRA + FSDP, CPU offload)",
    source_url=f"https://github.com/huggingface/peft/blob/{c}/docs/source/accelerate/fsdp.md",
    settings_urls=[f"https://github.com/huggingface/peft/blob/{c}/examples/sft/run_peft_qlora_fsdp.sh",
                   f"https://github.com/huggingface/peft/blob/{c}/examples/sft/configs/fsdp_config_qlora.yaml"],
    quote=line_of(fs, r"19\.6 GB").strip(), settings_source="launch command and accelerate config printed in the same page",
    method="qlora", lora=dict(rank=8, alpha=16, targets=["all-linear"]),
    quantization=dict(type="nf4", double_quant=True, compute_dtype="bfloat16", storage_dtype="bfloat16", library="bitsandbytes"),
    precision="accelerate mixed_precision 'no' with --bf16 True (Trainer bf16 autocast); base bf16-packed 4-bit",
    optimizer="transformers default adamw_torch", gradient_checkpointing=True,
    micro_batch=2, n_gpus=2, distribution="fsdp-full-shard", offload="fsdp_offload_params: true (parameters, gradients and optimizer to CPU)",
    gpu="2 x 24 GB", measured=19.6, unit="GB", measured_bytes=round(19.6 * GB), **common)
add(id="peft-docs-llama2-70b-qlora-fsdp-no-offload-2gpu", source="PEFT docs accelerate/fsdp.md (QLoRA + FSDP, offload disabled)",
    source_url=f"https://github.com/huggingface/peft/blob/{c}/docs/source/accelerate/fsdp.md",
    settings_urls=[f"https://github.com/huggingface/peft/blob/{c}/examples/sft/run_peft_qlora_fsdp.sh"],
    quote=line_of(fs, r"35\.6 GB").strip(), settings_source="same command with fsdp_offload_params false (the sentence 'When disabling CPU offloading')",
    method="qlora", lora=dict(rank=8, alpha=16, targets=["all-linear"]),
    quantization=dict(type="nf4", double_quant=True, compute_dtype="bfloat16", storage_dtype="bfloat16", library="bitsandbytes"),
    precision="accelerate mixed_precision 'no' with --bf16 True; base bf16-packed 4-bit",
    optimizer="transformers default adamw_torch", gradient_checkpointing=True,
    micro_batch=2, n_gpus=2, distribution="fsdp-full-shard", offload="none",
    gpu="unstated (more than 24 GB)", measured=35.6, unit="GB", measured_bytes=round(35.6 * GB), **common)
c2 = "aa2ca83ca79f94f4840fe2cb34118fc09bc8abb3"
ds2 = show(PF, c2, "docs/source/accelerate/deepspeed.md")
add(id="peft-docs-llama2-70b-lora-dsz3-8gpu", source="PEFT docs accelerate/deepspeed.md (LoRA + ZeRO-3)",
    source_url=f"https://github.com/huggingface/peft/blob/{c2}/docs/source/accelerate/deepspeed.md",
    settings_urls=[f"https://github.com/huggingface/peft/blob/{c2}/examples/sft/run_peft_deepspeed.sh",
                   f"https://github.com/huggingface/peft/blob/{c2}/examples/sft/configs/deepspeed_config.yaml"],
    quote=line_of(ds2, r"64 GB \(80%\)").strip(), settings_source="launch command and accelerate config printed in the same page",
    method="lora", lora=dict(rank=8, alpha=16, targets=["all-linear"]),
    precision="bf16 mixed (accelerate mixed_precision bf16)", optimizer="transformers default adamw_torch", gradient_checkpointing=True,
    micro_batch=8, n_gpus=8, distribution="deepspeed-zero3", offload="none", gpu="NVIDIA H100 80 GB",
    measured=64.0, unit="GB", measured_bytes=round(64 * GB), **common)

# ---------------------------------------------------------------- fms-acceleration reference benchmarks (A100 80GB)
FM = "foundation-model-stack+fms-acceleration"
c = "24bdadb228e2d55bc0c69deec034b86a73da6917"
txt = show(FM, c, "scripts/benchmarks/refs/a100_80gb.csv")
lines = txt.splitlines()
hdr = lines[0]
reader = list(csv.DictReader(io.StringIO(txt)))
FMM = {"mistralai/Mistral-7B-v0.1": ("mistral", "MistralForCausalLM"),
       "mistralai/Mixtral-8x7B-Instruct-v0.1": ("mixtral", "MixtralForCausalLM"),
       "NousResearch/Llama-2-70b-hf": ("llama", "LlamaForCausalLM"),
       "bigcode/gpt_bigcode-santacoder": ("gpt_bigcode", "GPTBigCodeForCausalLM")}
for i, x in enumerate(reader):
    fc = x["framework_config"]
    if fc not in ("none", "baseline-peft-bnb"):
        continue
    model = x["model_name_or_path"]
    fam, arch = FMM[model]
    method = "full" if not x["peft_method"] else ("qlora" if fc == "baseline-peft-bnb" else "lora")
    n, mb = int(x["num_gpus"]), int(x["per_device_train_batch_size"])
    alloc = x["mem_peak_torch_mem_alloc_in_bytes"]
    oom = alloc == ""
    lora = dict(rank=int(x["r"]), alpha=int(x["lora_alpha"]), targets=x["target_modules"].split()) if method != "full" else None
    quant = dict(type="nf4", double_quant=True, compute_dtype="bfloat16", storage_dtype="bfloat16 (set when world_size>1 under FSDP)",
                 library="bitsandbytes via fms-acceleration baseline-peft-bnb (BitsAndBytesConfig bnb_4bit_use_double_quant=True)") if method == "qlora" else None
    add(id=f"fms-a100-{model.split('/')[1].lower()}-{method}-{n}gpu-bs{mb}",
        source="fms-acceleration scripts/benchmarks/refs/a100_80gb.csv (reference benchmark)",
        source_url=f"https://github.com/foundation-model-stack/fms-acceleration/blob/{c}/scripts/benchmarks/refs/a100_80gb.csv",
        settings_urls=[f"https://github.com/foundation-model-stack/fms-acceleration/blob/{c}/scripts/benchmarks/scenarios.yaml",
                       f"https://github.com/foundation-model-stack/fms-acceleration/blob/{c}/scripts/benchmarks/defaults.yaml",
                       f"https://github.com/foundation-model-stack/fms-acceleration/blob/{c}/scripts/benchmarks/accelerate.yaml",
                       f"https://github.com/foundation-model-stack/fms-acceleration/blob/{c}/scripts/benchmarks/benchmark.py",
                       f"https://github.com/foundation-model-stack/fms-acceleration/blob/{c}/scripts/benchmarks/refs/requirements.txt"],
        quote=f"line {i+2}: {lines[i+1]}",
        settings_source="CSV columns (model, framework_config, num_gpus, per_device_train_batch_size, peft settings, torch_dtype) + defaults.yaml (gradient_checkpointing True, use_flash_attn True) + benchmark.py defaults (packing True, max_seq_len 4096) + accelerate.yaml (FSDP FULL_SHARD, mixed_precision no)",
        framework="fms-acceleration benchmark over fms-hf-tuning sft_trainer (transformers 4.48.1, peft 0.13.2, accelerate 1.0.1, bitsandbytes 0.43.3, torch 2.4.1)",
        model=model, family=fam, architecture=arch, method=method, lora=lora, quantization=quant,
        precision=("bf16 weights (torch_dtype bfloat16), Trainer bf16 autocast" if x["bf16"] == "TRUE" else "bf16 weights (torch_dtype bfloat16), no autocast: pure bf16"),
        optimizer="transformers default optimizer (adamw_torch; states in the dtype of the trainable params)",
        gradient_checkpointing=True, attention="flash_attention_2", loss="transformers causal-LM loss on full logits",
        micro_batch=mb, seq_len=4096, seq_len_kind="fixed: packing True, max_seq_len 4096",
        n_gpus=n, distribution="fsdp-full-shard (accelerate FSDP, TRANSFORMER_BASED_WRAP; also used with 1 process)",
        gpu="NVIDIA A100 80 GB", outcome="oom" if oom else "ok",
        measured=None if oom else int(alloc), unit="bytes", measured_bytes=None if oom else int(alloc),
        quantity="rank-0 peak torch allocated memory: max over HF Trainer memory-metric stages (before_init + init delta + train alloc delta + train peaked delta), i.e. torch.cuda.max_memory_allocated; column mem_nvidia_mem_reserved (MiB, nvidia-smi memory.used) = " + x["mem_nvidia_mem_reserved"],
        nvidia_smi_mib=int(x["mem_nvidia_mem_reserved"]) if x["mem_nvidia_mem_reserved"] else None,
        notes=("empty peak-allocated cell with nvidia-smi near 80 GiB: the run did not finish (out of memory)" if oom else ""))

with open(sys.argv[1], "w") as f:
    for r in rows:
        f.write(json.dumps(r, ensure_ascii=False) + "\n")
with open(sys.argv[2], "w") as f:
    for r in rejected:
        f.write(json.dumps(r, ensure_ascii=False) + "\n")
print(len(rows), "rows;", len(rejected), "rejected")
from collections import Counter
print(Counter((r["family"], r["outcome"]) for r in rows))

# ---------------------------------------------------------------- split and fixture twins
JUDGE_FAMILIES = {"mistral", "mixtral", "gemma", "phi", "falcon", "stablelm"}
FIXTURE = {
    "meta-llama/Llama-2-7b-hf": ("meta-llama/Llama-2-7b-hf", "same repo"),
    "meta-llama/Llama-2-70b-hf": ("meta-llama/Llama-2-70b-chat-hf", "chat twin: same tensor names and shapes as the base (tests/fixtures/hub/meta-llama/Llama-2-70b-chat-hf/SOURCE.md)"),
    "NousResearch/Llama-2-70b-hf": ("meta-llama/Llama-2-70b-chat-hf", "re-upload of Llama-2-70b-hf; chat twin has the same tensor names and shapes"),
    "meta-llama/Llama-3.1-8B": ("meta-llama/Llama-3.1-8B", "same repo"),
    "meta-llama/Meta-Llama-3-8B": ("meta-llama/Llama-3.1-8B", "Llama 3 8B and 3.1 8B share every tensor shape: both 8,030,261,248 BF16 parameters per saved HF API responses (Meta-Llama-3-8B: daniel-p-green/alain-ai-learning-platform @ 1b33775 out/research-meta-llama-meta-llama-3-8b/sources/huggingface/model.json; 3.1: tests/fixtures/hub/meta-llama/Llama-3.1-8B/SOURCE.md); configs differ in rope scaling and context length"),
    "mistralai/Mistral-7B-v0.1": ("mistralai/Mistral-7B-v0.1", "same repo"),
    "unsloth/Mistral-7B-v0.2": ("mistralai/Mistral-7B-v0.1", "same shapes per litgpt/config.py @ 00af8b0 (both entries: padded_vocab_size=32000, n_layer=32, n_query_groups=8, intermediate_size=14336, LLaMAMLP); v0.1 adds sliding_window_size=4096, which does not act at 512 tokens"),
    "mistralai/Mixtral-8x7B-Instruct-v0.1": ("mistralai/Mixtral-8x7B-v0.1", "instruct twin: same tensor names and shapes"),
    "TinyLlama/TinyLlama-1.1B-intermediate-step-1431k-3T": ("TinyLlama/TinyLlama-1.1B-Chat-v1.0", "chat fine-tune of the same 3T checkpoint: same tensor names and shapes"),
    "google/gemma-2b": ("google/gemma-2b", "same repo id; config.json and model.safetensors.index.json proven byte-identical (sha256) to HF copies of Gemma 2B (tests/fixtures/hub/google/gemma-2b/SOURCE.md)"),
    "google/gemma-7b": ("google/gemma-7b", "same repo id; config.json and index proven byte-identical (sha256) to an HF copy of Gemma 7B (tests/fixtures/hub/google/gemma-7b/SOURCE.md)"),
    "google/gemma-2-2b": ("google/gemma-2-2b", "same repo id; config.json is a transcription (not proven byte-identical) and only the parameter total is checked (Keras-Hub preset count; tests/fixtures/hub/google/gemma-2-2b/SOURCE.md)"),
    "google/gemma-2-9b": ("google/gemma-2-9b", "same repo id; config.json is a transcription (not proven byte-identical) and only the parameter total is checked (Keras-Hub preset count; tests/fixtures/hub/google/gemma-2-9b/SOURCE.md)"),
    "microsoft/phi-2": ("microsoft/phi-2", "same repo; config.json and index byte-identical (sha256) to the HF files at revision 810d367 (tests/fixtures/hub/microsoft/phi-2/SOURCE.md)"),
    "microsoft/Phi-3-mini-4k-instruct": ("microsoft/Phi-3-mini-4k-instruct", "same repo; config.json and index byte-identical (sha256) to the HF files at revision f39ac1d (tests/fixtures/hub/microsoft/Phi-3-mini-4k-instruct/SOURCE.md)"),
    "tiiuae/falcon-7b": ("tiiuae/falcon-7b", "same repo; config.json and the safetensors index byte-identical (sha256) to the HF files at revision ec89142 (tests/fixtures/hub/tiiuae/falcon-7b/SOURCE.md)"),
}
# ---------------------------------------------------------------- lora_dropout of every LoRA/QLoRA row
# The value the row's settings set (yaml, script, scenario), else the model builder's default; the quote is the line
# read from the source (the estimator's option lora_dropout: each adapted Linear then saves a dropped copy + mask).
def dropout_of(r):
    for u in r.get("settings_urls") or []:
        m = re.match(r"https://github.com/([^/]+)/([^/]+)/blob/([0-9a-f]+)/(.+)", u)
        if not m:
            continue
        repo, commit, path = f"{m[1]}+{m[2]}", m[3], m[4]
        if repo == "Lightning-AI+litgpt" and path.endswith(".yaml"):
            q = line_of(show(repo, commit, path), r"^lora_dropout:").strip()
            return float(q.split(":")[1]), f"{path} @ {commit[:7]}: '{q}'"
        if repo == "pytorch+torchtune" and path.endswith(".yaml"):
            y = show(repo, commit, path)
            if re.search(r"lora_dropout:", y):
                q = line_of(y, r"lora_dropout:").strip()
                return float(q.split(":")[1]), f"{path} @ {commit[:7]}: '{q}'"
            b = show(repo, commit, "torchtune/models/llama2/_model_builders.py")
            comp = line_of(y, r"_component_: torchtune\.models\.llama2\.q?lora_").split(".")[-1].strip()
            fn = "lora_llama2_70b" if comp.endswith("70b") else "lora_llama2_7b"
            body = b.split(f"def {fn}(")[1].split("\ndef ")[0]
            q = [l.strip() for l in body.splitlines() if re.search(r"lora_dropout(: float)? ?= ?0\.", l)][-1]
            return float(q.split("=")[-1].strip(" ,")), (f"torchtune/models/llama2/_model_builders.py @ {commit[:7]}, "
                    f"{fn} (config {path.split('/')[-1]} sets none, component {comp}): '{q}'")
        if repo == "huggingface+peft" and path.endswith(".sh"):
            q = line_of(show(repo, commit, path), r"--lora_dropout").strip().rstrip(" \\")
            return float(q.split()[-1]), f"{path} @ {commit[:7]}: '{q}'"
        if repo == "foundation-model-stack+fms-acceleration" and path.endswith("scenarios.yaml"):
            qs = {l.strip() for l in show(repo, commit, path).splitlines() if "lora_dropout:" in l}
            if len(qs) != 1:
                sys.exit(f"fms scenarios: lora_dropout differs between scenarios: {qs}")
            q = qs.pop()
            return float(q.split(":")[1]), f"{path} @ {commit[:7]} (every PEFT scenario): '{q}'"
    sys.exit(f"{r['id']}: no source gives lora_dropout")

for r in rows:
    if isinstance(r.get("lora"), dict):
        r["lora"]["dropout"], r["lora"]["dropout_source"] = dropout_of(r)

for r in rows:
    r["split"] = "judge" if r["family"] in JUDGE_FAMILIES else "calibrate"
    tw = FIXTURE.get(r["model"])
    r["fixture_repo"] = tw[0] if tw else None
    r["fixture_note"] = tw[1] if tw else "missing from tests/fixtures/hub (see README.md, 'Fixture coverage')"
with open(sys.argv[1], "w") as f:
    for r in rows:
        f.write(json.dumps(r, ensure_ascii=False) + "\n")

def rej(url, quote, why):
    rejected.append(dict(source_url=url, quote=quote, why=why))
c = "30b8519e86d2094879576e16ab1f8d21a6f6f9f7"; t = show(TT, c, "README.md")
for rx in [r"^\| Llama 3\.1 8B \| Full finetune \| 1x 4090", r"^\| Llama 3\.1 8B \| Full finetune \| 1x A6000", r"^\| Llama 3\.1 8B \| QLoRA \| 1x 4090", r"^\| Llama 3\.1 70B \| Full finetune"]:
    rej(f"https://github.com/pytorch/torchtune/blob/{c}/README.md", line_of(t, rx).strip(),
        "only batch 2, packed 2048 and compile are stated for the whole table; optimizer, activation checkpointing/offloading and "
        "optimizer-in-backward are not, and they must differ per row (the same method gives 18.9 GiB on a 4090 and 37.4 GiB on an A6000)")
c = "0217d44c2e1e372b34628767745c1f6538086a81"; t = show(TT, c, "README.md")
rej(f"https://github.com/pytorch/torchtune/blob/{c}/README.md", line_of(t, r"^\| 8 x A100\s+\|\s+Full Finetune").strip(),
    "no Llama2-70B full fine-tuning config exists at that commit (recipes/configs/llama2/ has only 70B_lora.yaml), so optimizer placement, checkpointing and sharding of the row are unknown")
c = "5de175184372bfc940d499d6723d4cef385b938e"; t = show(PF, c, "README.md")
for rx in [r"^\| bigscience/T0_3B", r"^\| bigscience/mt0-xxl"]:
    rej(f"https://github.com/huggingface/peft/blob/{c}/README.md", line_of(t, rx).strip(),
        "batch size, sequence length, precision and optimizer are not stated (only the dataset and 'A100 80GB'); T0/mt0 are encoder-decoders")
c = "aa2ca83ca79f94f4840fe2cb34118fc09bc8abb3"; t = show(PF, c, "docs/source/accelerate/fsdp.md")
rej(f"https://github.com/huggingface/peft/blob/{c}/docs/source/accelerate/fsdp.md", line_of(t, r"72-80 GB").strip(),
    "a range read from a dashboard, and the page says the top of it is the FULL_STATE_DICT save at the end, not training")
rej("https://github.com/huggingface/peft/blob/5d602fdbff04c33c1c4de55cda9d4ae1d7cb7e40/method_comparison/MetaMathQA/results/lora--llama-3.2-3B-rank32.json",
    '"accelerator_memory_max": 22292725760 (and the same field in every results/*.json)',
    "max_memory_reserved over the whole run minus the start value, and the run includes evaluation by generation at batch 50 "
    "(batch_size_eval) with a KV cache; which phase set the maximum is not recorded (utils.py: accelerator_memory_final = max_memory_reserved())")
t = show("artidoro+qlora", "7f4e95a68dc076bea9b3a413d2b512eca6d004e5", "README.md")
rej("https://github.com/artidoro/qlora/blob/7f4e95a68dc076bea9b3a413d2b512eca6d004e5/README.md",
    "reduces memory usage enough to finetune a 65B parameter model on a single 48GB GPU",
    "a capacity claim, not a measured peak; no batch or sequence length")
c = "3c1872ace149f03ef4ffec765d3f0a5fd0399497"
t = show(TT, "bd2a0fc7c31430972728494fa01aaeeb0ebf1ba1", "docs/source/tutorials/llama3.rst")
rej("https://github.com/pytorch/torchtune/blob/bd2a0fc7c31430972728494fa01aaeeb0ebf1ba1/docs/source/tutorials/llama3.rst",
    line_of(t, r"peak memory usage of 18\.5 GB").strip(),
    "the config's revision is not pinned (links to main), the dataset is not packed so the sequence length is data-dependent, and the quantity is not named")
t = show(TT, "bd2a0fc7c31430972728494fa01aaeeb0ebf1ba1", "docs/source/tutorials/e2e_flow.rst")
rej("https://github.com/pytorch/torchtune/blob/bd2a0fc7c31430972728494fa01aaeeb0ebf1ba1/docs/source/tutorials/e2e_flow.rst",
    line_of(t, r"peak memory usage of ~16GB").strip(), "approximate ('~16GB'), unpacked data, config linked to main")
rej("https://github.com/foundation-model-stack/fms-acceleration/blob/24bdadb228e2d55bc0c69deec034b86a73da6917/scripts/benchmarks/refs/a100_80gb.csv",
    "rows with framework_config foak-fast-kernels, accelerated-peft-bnb, accelerated-peft-bnb-foak, accelerated-peft-autogptq*",
    "measured with fms-acceleration's own fused kernels / quantized-PEFT plugin, which change activation and weight memory in ways no "
    "general estimator models; GPTQ rows also start from an already-quantized checkpoint. Kept out of runs.jsonl; only 'none' and 'baseline-peft-bnb' rows are used")
t = show("unslothai+unsloth", "015bdef0d94a241bcd94eec7a405b1700632180d", "README.md")
rej("https://github.com/unslothai/unsloth/blob/015bdef0d94a241bcd94eec7a405b1700632180d/README.md",
    line_of(t, r"2× faster with 70% less VRAM").strip(),
    "relative figures (speed-up, % less VRAM, longest context that fits) without an absolute peak per setting")
rej("https://github.com/pytorch/torchtune/pull/961",
    "On my A100, I'm getting 22.3, which is still higher than the number you're seeing.",
    "kept only as a note on torchtune-pr961-*: same command as the 20.2 GB report, but the quantity (allocated/reserved/active) is not named")
with open(sys.argv[2], "w") as f:
    for r in rejected:
        f.write(json.dumps(r, ensure_ascii=False) + "\n")
print(len(rows), "rows;", len(rejected), "rejected")
print(Counter((r["split"], r["family"], r["outcome"], r["fixture_repo"] is not None) for r in rows))
