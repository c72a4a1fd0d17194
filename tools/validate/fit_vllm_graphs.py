#!/usr/bin/env python3
"""Fits the vLLM profile's bytes per captured CUDA graph (core/estimator/engine_vllm.cpp kGraph*Bytes) on the
vLLM 0.19 H100 campaign (tests/validation/vllm) and prints the fit on all rows and left out one family at a time.

  python3 tools/validate/fit_vllm_graphs.py

Per run: graphs = captures × (fixed + per_layer × layers / tp + per_moe_layer × layers if MoE), captures = PIECEWISE +
FULL counts logged by vLLM (results_raw.csv cudagraph_*_count), measured = cuda_graph_actual_gib ("Graph capturing
finished … took X GiB"). Standard library only.
"""
import csv
import json
import os

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'tests', 'validation', 'vllm')
CSV = os.path.join(ROOT, '_measured', 'llm-d-planner__vllm-v0.19.0__H100-80GB', 'results_raw.csv')
CONFIGS = {  # the configs validate_vllm reads (kModels there)
    'meta-llama/Llama-3.1-8B-Instruct': ('meta-llama__Llama-3.1-8B/config.copy.json', 'num_hidden_layers'),
    'Qwen/Qwen2.5-7B-Instruct': ('Qwen__Qwen2.5-7B-Instruct/config.json', 'num_hidden_layers'),
    'Qwen/Qwen3-8B': ('Qwen__Qwen3-8B/config.copy.json', 'num_hidden_layers'),
    'Qwen/Qwen3-30B-A3B': ('Qwen__Qwen3-30B-A3B/config.json', 'num_hidden_layers'),
    'mistralai/Mixtral-8x7B-Instruct-v0.1': ('mistralai__Mixtral-8x7B-v0.1/config.json', 'num_hidden_layers'),
    'openai/gpt-oss-20b': ('openai__gpt-oss-20b/config.json', 'num_hidden_layers'),
    'deepseek-ai/DeepSeek-V2-Lite-Chat': ('deepseek-ai__DeepSeek-V2-Lite/inference/configs/config_16B.json', 'n_layers'),
}
MOE_KEYS = ('num_local_experts', 'num_experts', 'n_routed_experts')


def rows():
    out = []
    for r in csv.DictReader(open(CSV)):
        if r['status'] != 'ok' or r['model'] not in CONFIGS or r['pp'] != '1':
            continue
        path, layers_key = CONFIGS[r['model']]
        c = json.load(open(os.path.join(ROOT, path)))
        out.append({'family': r['model'], 'run': r['log_file'], 'tp': int(r['tp']), 'layers': c[layers_key],
                    'moe': any(c.get(k) for k in MOE_KEYS),
                    'captures': int(r['cudagraph_piecewise_count']) + int(r['cudagraph_full_count']),
                    'measured': float(r['cuda_graph_actual_gib'])})
    return out


def features(d):
    return [d['captures'], d['captures'] * d['layers'] / d['tp'], d['captures'] * d['layers'] * d['moe']]


def least_squares(xs, ys):
    k = len(xs[0])
    m = [[sum(x[i] * x[j] for x in xs) for j in range(k)] + [sum(x[i] * y for x, y in zip(xs, ys))] for i in range(k)]
    for i in range(k):
        p = max(range(i, k), key=lambda r: abs(m[r][i]))
        m[i], m[p] = m[p], m[i]
        for r in range(k):
            if r != i:
                f = m[r][i] / m[i][i]
                m[r] = [a - f * b for a, b in zip(m[r], m[i])]
    return [m[i][k] / m[i][i] for i in range(k)]


def predict(p, d):
    return sum(a * b for a, b in zip(p, features(d)))


data = rows()
p = least_squares([features(d) for d in data], [d['measured'] for d in data])
print('fit on %d runs: %.2f MiB per graph, %.1f KiB per layer per rank, %.1f KiB per MoE layer' %
      (len(data), p[0] * 1024, p[1] * 1024 * 1024, p[2] * 1024 * 1024))
errors = []
for fam in sorted(set(d['family'] for d in data)):
    rest = [d for d in data if d['family'] != fam]
    q = least_squares([features(d) for d in rest], [d['measured'] for d in rest])
    e = [predict(q, d) / d['measured'] - 1 for d in data if d['family'] == fam]
    errors += e
    print('left out %-40s mean error %+.1f %%' % (fam, 100 * sum(e) / len(e)))
print('left out one family at a time: mean |error| %.1f %% over %d runs' %
      (100 * sum(abs(e) for e in errors) / len(errors), len(errors)))
flat = [abs(1 / d['measured'] - 1) for d in data]
print('flat 1 GiB: mean |error| %.1f %%, worst %.1f %%' % (100 * sum(flat) / len(flat), 100 * max(flat)))
