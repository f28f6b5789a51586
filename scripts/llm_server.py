#!/usr/bin/env python3
"""Starts llama.cpp's OpenAI-compatible server (the xllamacpp wheel) on a loopback port.

Usage: llm_server.py MODEL.gguf PORT [N_CTX] [THREADS]   (PORT 0: pick a free port)
Prints "ready http://127.0.0.1:PORT" once /v1 answers, then serves until SIGTERM/SIGINT.
"""
import signal
import socket
import sys
import threading
import urllib.request

import xllamacpp


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    model, port = sys.argv[1], int(sys.argv[2])
    if port == 0:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
    n_ctx = int(sys.argv[3]) if len(sys.argv) > 3 else 2048
    threads = int(sys.argv[4]) if len(sys.argv) > 4 else 2

    params = xllamacpp.CommonParams()
    params.model.path = model
    params.hostnames = ["127.0.0.1"]
    params.port = port
    params.n_ctx = n_ctx
    params.n_parallel = 1
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.n_gpu_layers = 0
    params.warmup = False
    server = xllamacpp.Server(params)  # noqa: F841 (keeps the server alive)

    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            with urllib.request.urlopen(base + "/health", timeout=1) as reply:
                if reply.status == 200:
                    break
        except Exception:
            threading.Event().wait(0.1)
    else:
        print(f"server on {base} did not become healthy", file=sys.stderr)
        return 1
    print(f"ready {base}", flush=True)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
