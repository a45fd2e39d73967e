#!/usr/bin/env python3
"""The conditional DCGAN of synthstudio's GAN module, in PyTorch: the peer for `make bench`, and
proof that our checkpoints load into PyTorch (`--load RUN/checkpoint.safetensors`).

Same layers, same parameter names (`generator.embed.weight`, `generator.net.1.weight`, …), same
training step (one discriminator update on real and generated images, one generator update,
non-saturating BCE, Adam 2e-4 / (0.5, 0.999)), no augmentation.

    python3 dcgan_torch.py --threads 2 --steps 30 --json
    python3 dcgan_torch.py --load runs/digits/checkpoint.safetensors --run-json runs/digits/run.json
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Generator(nn.Module):
    def __init__(self, resolution, channels, classes, latent=100, embedding=50, ngf=64):
        super().__init__()
        levels = {16: 2, 32: 3, 64: 4}[resolution]
        self.latent = latent
        self.embed = nn.Embedding(classes, embedding)
        width = ngf << (levels - 1)
        layers = [nn.Unflatten(1, (latent + embedding, 1, 1)),
                  nn.ConvTranspose2d(latent + embedding, width, 4, 1, 0, bias=False), nn.BatchNorm2d(width), nn.ReLU()]
        for _ in range(1, levels):
            layers += [nn.ConvTranspose2d(width, width // 2, 4, 2, 1, bias=False), nn.BatchNorm2d(width // 2), nn.ReLU()]
            width //= 2
        layers += [nn.ConvTranspose2d(width, channels, 4, 2, 1, bias=False), nn.Tanh()]
        self.net = nn.Sequential(*layers)

    def forward(self, z, y):
        return self.net(torch.cat([z, self.embed(y)], 1))


class Discriminator(nn.Module):
    def __init__(self, resolution, channels, classes, ndf=64):
        super().__init__()
        levels = {16: 2, 32: 3, 64: 4}[resolution]
        width = ndf
        layers = [nn.Conv2d(channels, width, 4, 2, 1, bias=False), nn.LeakyReLU(0.2)]
        for _ in range(1, levels):
            layers += [nn.Conv2d(width, width * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(width * 2), nn.LeakyReLU(0.2)]
            width *= 2
        self.net = nn.Sequential(*layers)
        self.linear = nn.Linear(width, 1)
        self.embed = nn.Embedding(classes, width)

    def forward(self, x, y):
        h = self.net(x).mean(dim=(2, 3))
        return self.linear(h) + (self.embed(y) * h).sum(1, keepdim=True)


def train_step(g, d, opt_g, opt_d, real, labels, latent):
    z = torch.randn(real.shape[0], latent)
    fake = g(z, labels)
    opt_d.zero_grad()
    loss_d = F.binary_cross_entropy_with_logits(d(real, labels), torch.ones(real.shape[0], 1))
    loss_d.backward()
    loss_f = F.binary_cross_entropy_with_logits(d(fake.detach(), labels), torch.zeros(real.shape[0], 1))
    loss_f.backward()
    opt_d.step()
    opt_g.zero_grad()
    loss_g = F.binary_cross_entropy_with_logits(d(fake, labels), torch.ones(real.shape[0], 1))
    loss_g.backward()
    opt_g.step()


def bench(args):
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    g = Generator(args.resolution, args.channels, 10, ngf=args.ngf)
    d = Discriminator(args.resolution, args.channels, 10, ndf=args.ndf)
    opt_g = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    real = torch.rand(args.batch, args.channels, args.resolution, args.resolution) * 2 - 1
    labels = torch.arange(args.batch) % 10
    for _ in range(3):
        train_step(g, d, opt_g, opt_d, real, labels, 100)
    times = []
    for _ in range(args.steps):
        start = time.perf_counter()
        train_step(g, d, opt_g, opt_d, real, labels, 100)
        times.append((time.perf_counter() - start) * 1000)
    g.eval()
    with torch.no_grad():
        z = torch.randn(args.batch, 100)
        g(z, labels)
        # The median of 20 timed batches, as synthstudio's GANBenchmark does.
        rounds = []
        for _ in range(20):
            start = time.perf_counter()
            g(z, labels)
            rounds.append(time.perf_counter() - start)
        rate = args.batch / statistics.median(rounds)
    result = {"step_ms_median": statistics.median(times), "generator_images_per_s": rate, "torch": torch.__version__,
              "threads": args.threads}
    print(json.dumps(result) if args.json else
          f"PyTorch {torch.__version__} ({args.threads} threads): step {result['step_ms_median']:.1f} ms, generator {rate:.0f} images/s")


def load(args):
    """Loads a synthstudio checkpoint into these modules (strict: every name and shape must match)."""
    from safetensors.torch import load_file
    run = json.load(open(args.run_json))
    a = run["architecture"]
    g = Generator(a["resolution"], a["channels"], a["classes"], a["latent"], a["embedding"], a["ngf"])
    d = Discriminator(a["resolution"], a["channels"], a["classes"], a["ndf"])
    state = load_file(args.load)
    for prefix, module in (("generator.", g), ("discriminator.", d)):
        sub = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
        module.load_state_dict(sub, strict=True)
    g.eval()
    with torch.no_grad():
        images = g(torch.randn(len(run["classes"]), a["latent"]), torch.arange(len(run["classes"])))
    print(json.dumps({"loaded": True, "generated_shape": list(images.shape), "min": images.min().item(), "max": images.max().item()}))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--resolution", type=int, default=32)
    parser.add_argument("--channels", type=int, default=1)
    parser.add_argument("--ngf", type=int, default=64)
    parser.add_argument("--ndf", type=int, default=64)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--load")
    parser.add_argument("--run-json")
    args = parser.parse_args()
    load(args) if args.load else bench(args)
