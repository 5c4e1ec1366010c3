"""Driven by bench/engine-simulate.bench.ts: the Python side of the Simulate benchmark.

    python3 bench/engine-simulate.py ENGINE_ADDR BARE_ADDR [ONE_WORKER_ADDR]

Prints one JSON line: env-steps/s of the vector env (1,024 TicTacToe envs, random legal actions
chosen in numpy) against the engine and against a bare server answering the same bytes, of the
unary Step loop, and per-step round-trip latencies of one env over Simulate and over the bare echo;
with a third address (an engine splitting the stream over two workers), its vector rate too.
"""
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
from control_room_engine import EngineClient, VectorEnv  # noqa: E402

N = 1024
VEC_STEPS = int(os.environ.get("BENCH_VEC_STEPS", 100))
# Engine and bare alternate in rounds (medians reported), so load drifting on a shared machine
# does not favour whichever ran first.
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 5))
UNARY_CALLS = int(os.environ.get("BENCH_UNARY_CALLS", 2048))
LAT_STEPS = int(os.environ.get("BENCH_LAT_STEPS", 400))


def legal(rng, mask):
    return (rng.random(mask.shape) * mask).argmax(axis=1)


def vector_rate(address):
    envs = VectorEnv("tictactoe", N, address=address)
    rng = np.random.default_rng(0)
    try:
        _, infos = envs.reset(seed=0)
        for _ in range(10):  # warm-up
            _, _, _, _, infos = envs.step(legal(rng, infos["action_mask"]))
        t0 = time.perf_counter()
        for _ in range(VEC_STEPS):
            _, _, _, _, infos = envs.step(legal(rng, infos["action_mask"]))
        return VEC_STEPS * N / (time.perf_counter() - t0)
    finally:
        envs.close()


def unary_rate(address):
    rng = np.random.default_rng(0)
    with EngineClient(address) as c:
        states, obs = zip(*(c.reset("tictactoe", i) for i in range(N)))
        states, obs = list(states), list(obs)
        t0 = time.perf_counter()
        for k in range(UNARY_CALLS):
            i = k % N
            a = int(rng.choice(np.flatnonzero(obs[i][18:])))
            states[i], obs[i], _, done = c.step("tictactoe", states[i], a)
            if done:
                states[i], obs[i] = c.reset("tictactoe", N + k)
        return UNARY_CALLS / (time.perf_counter() - t0)


def latency(address):
    rng = np.random.default_rng(0)
    with EngineClient(address) as c:
        s = c.simulate("tictactoe", 1, seed=0)
        try:
            mask = s.first.action_mask
            times = []
            for k in range(LAT_STEPS + 100):
                a = legal(rng, mask)
                t0 = time.perf_counter_ns()
                b = s.step(a)
                dt = time.perf_counter_ns() - t0
                mask = b.action_mask
                if k >= 100:
                    times.append(dt / 1e6)
            return times
        finally:
            s.close()


if __name__ == "__main__":
    engine, bare = sys.argv[1], sys.argv[2]
    one = sys.argv[3] if len(sys.argv) > 3 else None
    vec, vec_bare, vec_one, lat, lat_bare = [], [], [], [], []
    for _ in range(ROUNDS):
        vec.append(vector_rate(engine))
        vec_bare.append(vector_rate(bare))
        if one:
            vec_one.append(vector_rate(one))
        lat += latency(engine)
        lat_bare += latency(bare)

    def pct(xs):
        t = np.sort(np.asarray(xs))
        return {"p50": float(t[len(t) // 2]), "p99": float(t[int(len(t) * 0.99)]), "n": len(t)}

    out = {
        "vector": float(np.median(vec)),
        "vector_bare": float(np.median(vec_bare)),
        "vector_rounds": [round(x) for x in vec],
        "vector_bare_rounds": [round(x) for x in vec_bare],
        "vector_one": float(np.median(vec_one)) if vec_one else None,
        "vector_one_rounds": [round(x) for x in vec_one],
        "unary": unary_rate(engine),
        "latency": pct(lat),
        "latency_bare": pct(lat_bare),
    }
    print(json.dumps(out))
