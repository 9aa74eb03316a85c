#!/bin/bash
# GeNN kernel times of COBAHH 1e5 (float32, 0.3 s) against the presynaptic
# kernel's block size and the threads per spike (both Synapses), on the GPU
# machine: bash benchmarks/presyn_block_sweep.sh
source scripts/gpu_env.sh > /dev/null
mkdir -p "$OUT"
for tps in 32 16 64; do
  for block in 128 256 512 1024; do
    [ "$tps" != 32 ] && [ "$block" == 256 ] && continue
    echo "=== tps $tps block $block"
    python3 benchmarks/profile_genn.py cobahh 100000 --duration 0.3 --directory /tmp/prof \
      --parallelism presynaptic --threads-per-spike $tps \
      --genn-pref cuda_presynaptic_block_size=$block 2>&1 | grep -E "kernel_|simulation|rates"
  done
done 2>&1 | tee "$OUT/sweep.txt"
