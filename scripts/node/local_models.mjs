// transformers.js reading model folders under one directory only: no downloads, no caches, so a
// reference run uses exactly the files the C++ side reads.
import path from 'node:path';

import { env } from '@huggingface/transformers';

export function useLocalModels(modelsDir) {
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = path.resolve(modelsDir) + '/';
  env.useBrowserCache = false;
  env.useFSCache = false;
}
