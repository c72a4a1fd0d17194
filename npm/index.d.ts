// Types of the hf-vram-estimator package. Field names are the core's (the CLI's --json schema);
// docs/json-schema.md in the repository describes every report field.

/** An error the core reported. */
export declare class VramError extends Error {
  readonly name: 'VramError';
  /** Stable error name, e.g. "repo_not_found", "gated", "network", "header_not_json". */
  readonly code: string;
}

export interface LoadOptions {
  /** Branch, tag or commit (default "main"). */
  revision?: string;
  /** Hugging Face access token for gated and private repos; sent to the endpoint's origin only. */
  token?: string;
  /** Hub endpoint (default "https://huggingface.co"). In a browser it must allow the page's origin. */
  endpoint?: string;
  /** Weight variant such as "fp16" (default: the default files). */
  variant?: string;
  /** Called while the metadata loads. */
  onProgress?: (progress: { stage: string; files_done: number; files_total: number; bytes: number }) => void;
  /** Cancels the load; the promise then rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** A loaded model: pass it to estimate(), report() and release(). */
export interface Model {
  readonly ok: true;
  readonly handle: number;
  readonly repo_id: string;
  readonly revision: string;
  /** The commit the metadata was read at. */
  readonly sha: string;
  /** "false", "auto" or "manual", as the Hub says. */
  readonly gated: string;
  readonly stats?: { requests: number; bytes: number; chain: number };
}

export interface EstimateOptions {
  /** "auto" (every tensor as stored), "float32", "float16", "bfloat16", "int8", "int4". */
  precision?: string;
  /** Tokens per sequence; 0 = the config's maximum context. */
  context_tokens?: number;
  batch?: number;
  /** "classic", "transformers", "vllm", "sglang", "llama.cpp" (see vocabularies().profiles). */
  profile?: string;
  kv_dtype?: string;
  /** Tensor-parallel GPUs. */
  tp?: number;
  /** A GPU id from gpus(). */
  gpu?: string;
  gpu_memory_utilization?: number;
  max_num_batched_tokens?: number;
  /** GGUF repos: a file name or a type such as "Q5_K_M". */
  gguf_file?: string;
  flash_attention?: boolean;
  n_gpu_layers?: number;
  ubatch_tokens?: number;
}

/** The JSON report: the CLI's `--json` schema (every field in docs/json-schema.md). */
export interface Report {
  model_id: string;
  schema_version: number;
  /** The version of hf-vram-estimator that computed it. */
  tool_version: string;
  quantization: string;
  batch_size: number;
  context_length: number;
  estimates: Record<string, string>;
  estimates_bytes: {
    model_weights: number;
    model_weights_raw: number;
    kv_cache: number;
    activation_overhead: number;
    cuda_overhead: number;
    total: number;
  };
  parameters: number;
  tensors: number;
  profile: string;
  sha: string;
  assumptions: string[];
  [field: string]: unknown;
}

export interface Gpu {
  id: string;
  name: string;
  segment: string;
  backend: string;
  memory_bytes: number;
  usable_bytes: number;
  multi_gpu: boolean;
}

/** The core's tables. Cores built before the vocabularies binding answer `gpus` only. */
export interface Vocabularies {
  gpus: Gpu[];
  profiles?: unknown[];
  precisions?: unknown[];
  kv_dtypes?: unknown[];
  defaults?: Record<string, unknown>;
  limits?: Record<string, unknown>;
}

export declare function loadModel(repo: string, options?: LoadOptions): Promise<Model>;
export declare function estimate(model: Model | number, options?: EstimateOptions): Promise<Report>;
export declare function report(model: Model | number, options?: EstimateOptions, format?: 'text' | 'markdown'): Promise<string>;
export declare function release(model: Model | number): Promise<void>;
export declare function gpus(): Promise<Gpu[]>;
export declare function vocabularies(): Promise<Vocabularies>;
export declare function version(): Promise<string>;
