#!/usr/bin/env python3
"""PyTorch reference for bench/train-steps.ts: the same models, batches and AdamW step, single-threaded.

Reads a JSON list of {"id", "kind", ...} on stdin and writes {"ok", "torch", "results": [{"id", "seconds"}]} (or
{"ok": false, "reason"} when torch is missing). Timing follows bench/harness.ts: one warm-up step, then the best
of repeated steps. The transformer mirrors Strata's Llama layout: RMSNorm, RoPE attention, SwiGLU, tied nothing.
"""
import json
import sys
import time


def main():
    cases = json.load(sys.stdin)
    try:
        import torch
    except ImportError:
        json.dump({"ok": False, "reason": f"{sys.executable} has no torch"}, sys.stdout)
        return
    torch.set_num_threads(1)
    nn = torch.nn
    F = torch.nn.functional

    class Rms(nn.Module):
        def __init__(self, d):
            super().__init__()
            self.scale = nn.Parameter(torch.ones(d))

        def forward(self, x):
            return x * torch.rsqrt((x * x).mean(-1, keepdim=True) + 1e-5) * self.scale

    def rope(x, base=10000.0):
        # x: (B, H, T, hd); rotate pairs (even, odd).
        T, hd = x.shape[-2], x.shape[-1]
        inv = base ** (-torch.arange(0, hd, 2, dtype=torch.float32) / hd)
        ang = torch.arange(T, dtype=torch.float32)[:, None] * inv[None, :]
        c, s = ang.cos(), ang.sin()
        x1, x2 = x[..., 0::2], x[..., 1::2]
        return torch.stack((x1 * c - x2 * s, x1 * s + x2 * c), dim=-1).flatten(-2)

    class Block(nn.Module):
        def __init__(self, d, h, hidden):
            super().__init__()
            self.h = h
            self.n1, self.n2 = Rms(d), Rms(d)
            self.wq, self.wk, self.wv, self.wo = (nn.Linear(d, d, bias=False) for _ in range(4))
            self.w1, self.w3 = nn.Linear(d, hidden, bias=False), nn.Linear(d, hidden, bias=False)
            self.w2 = nn.Linear(hidden, d, bias=False)

        def forward(self, x, mask):
            B, T, d = x.shape
            y = self.n1(x)
            q, k, v = (w(y).view(B, T, self.h, d // self.h).transpose(1, 2) for w in (self.wq, self.wk, self.wv))
            q, k = rope(q), rope(k)
            att = (q @ k.transpose(-1, -2)) / (d // self.h) ** 0.5 + mask
            o = (att.softmax(-1) @ v).transpose(1, 2).reshape(B, T, d)
            x = x + self.wo(o)
            y = self.n2(x)
            return x + self.w2(F.silu(self.w1(y)) * self.w3(y))

    class Lm(nn.Module):
        def __init__(self, c):
            super().__init__()
            self.embed = nn.Embedding(c["vocab"], c["dim"])
            self.blocks = nn.ModuleList(Block(c["dim"], c["heads"], c["hidden"]) for _ in range(c["layers"]))
            self.norm = Rms(c["dim"])
            self.head = nn.Linear(c["dim"], c["vocab"], bias=False)

        def forward(self, ids):
            T = ids.shape[1]
            mask = torch.full((T, T), float("-inf")).triu(1)
            x = self.embed(ids)
            for b in self.blocks:
                x = b(x, mask)
            return self.head(self.norm(x))

    def time_best(fn, min_sample=0.005, budget=0.6, min_samples=3):
        fn()
        best, samples, start = float("inf"), 0, time.perf_counter()
        while samples < min_samples or time.perf_counter() - start < budget:
            t0 = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - t0)
            samples += 1
        return best

    g = torch.Generator().manual_seed(0)
    results = []
    for c in cases:
        if c["kind"] == "mlp":
            sizes = c["sizes"]
            layers = []
            for i in range(len(sizes) - 1):
                layers.append(nn.Linear(sizes[i], sizes[i + 1]))
                if i < len(sizes) - 2:
                    layers.append(nn.ReLU())
            model = nn.Sequential(*layers)
            x = torch.rand(c["batch"], sizes[0], generator=g)
            y = torch.arange(c["batch"]) % sizes[-1]
            loss_fn = lambda: F.cross_entropy(model(x), y)
            budget = 0.6
        else:
            model = Lm(c)
            ids = torch.randint(0, c["vocab"], (c["batch"], c["context"] + 1), generator=g)
            loss_fn = lambda: F.cross_entropy(model(ids[:, :-1]).flatten(0, 1), ids[:, 1:].flatten())
            budget = 0.6 if c["dim"] < 128 else 1.0
        opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)

        def step():
            opt.zero_grad()
            loss_fn().backward()
            if c["kind"] != "mlp":
                nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()

        results.append({"id": c["id"], "seconds": time_best(step, budget=budget)})
    json.dump({"ok": True, "torch": torch.__version__, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
