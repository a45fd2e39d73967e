#!/usr/bin/env python3
"""The conditional GANs of synthstudio's GAN module (DCGAN and ResNet), in PyTorch: the peer for
`make bench`, and proof that our checkpoints load into PyTorch (`--load RUN/checkpoint.safetensors`).

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
        levels = {16: 2, 32: 3, 64: 4, 128: 5}[resolution]
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
        levels = {16: 2, 32: 3, 64: 4, 128: 5}[resolution]
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


class ConditionalBatchNorm(nn.Module):
    """Batch norm without its own affine, then a per-class scale (init 1) and shift (init 0)."""
    def __init__(self, channels, classes):
        super().__init__()
        self.bn = nn.BatchNorm2d(channels, affine=False)
        self.gamma = nn.Embedding(classes, channels)
        self.beta = nn.Embedding(classes, channels)
        nn.init.ones_(self.gamma.weight)
        nn.init.zeros_(self.beta.weight)

    def forward(self, x, y):
        return self.gamma(y)[:, :, None, None] * self.bn(x) + self.beta(y)[:, :, None, None]


class UpBlock(nn.Module):
    def __init__(self, cin, cout, classes):
        super().__init__()
        self.bn1 = ConditionalBatchNorm(cin, classes)
        self.bn2 = ConditionalBatchNorm(cout, classes)
        self.conv1 = nn.Conv2d(cin, cout, 3, 1, 1)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1)
        self.shortcut = nn.Conv2d(cin, cout, 1)

    def forward(self, x, y):
        h = self.conv1(F.interpolate(F.relu(self.bn1(x, y)), scale_factor=2, mode="nearest"))
        h = self.conv2(F.relu(self.bn2(h, y)))
        return h + self.shortcut(F.interpolate(x, scale_factor=2, mode="nearest"))


def blocks_for(resolution):
    return max(1, (resolution & -resolution).bit_length() - 1 - 2)


class ResidualGenerator(nn.Module):
    """synthstudio's `--architecture resnet` generator, name for name."""
    def __init__(self, resolution, channels, classes, latent=100, ngf=64):
        super().__init__()
        n = blocks_for(resolution)
        width = ngf << (n - 1)
        self.width = width
        self.linear = nn.Linear(latent, 16 * width)
        blocks = []
        for i in range(n):
            out = ngf if i == n - 1 else max(ngf, width // 2)
            blocks.append(UpBlock(width, out, classes))
            width = out
        self.blocks = nn.ModuleList(blocks)
        self.final_bn = nn.BatchNorm2d(ngf)
        self.final_conv = nn.Conv2d(ngf, channels, 3, 1, 1)

    def forward(self, z, y):
        h = self.linear(z).view(z.shape[0], self.width, 4, 4)
        for block in self.blocks:
            h = block(h, y)
        return torch.tanh(self.final_conv(F.relu(self.final_bn(h))))


class DownBlock(nn.Module):
    def __init__(self, cin, cout, first):
        super().__init__()
        sn = nn.utils.spectral_norm
        self.first = first
        self.conv1 = sn(nn.Conv2d(cin, cout, 3, 1, 1))
        self.conv2 = sn(nn.Conv2d(cout, cout, 3, 1, 1))
        self.shortcut = sn(nn.Conv2d(cin, cout, 1))

    def forward(self, x):
        h = self.conv1(x if self.first else F.relu(x))
        h = F.avg_pool2d(self.conv2(F.relu(h)), 2)
        s = self.shortcut(F.avg_pool2d(x, 2)) if self.first else F.avg_pool2d(self.shortcut(x), 2)
        return h + s


class ResidualDiscriminator(nn.Module):
    """synthstudio's `--architecture resnet` discriminator, name for name."""
    def __init__(self, resolution, channels, classes, ndf=64):
        super().__init__()
        sn = nn.utils.spectral_norm
        blocks, width = [], channels
        for i in range(blocks_for(resolution)):
            blocks.append(DownBlock(width, ndf << i, i == 0))
            width = ndf << i
        self.blocks = nn.ModuleList(blocks)
        self.linear = sn(nn.Linear(width, 1))
        self.embed = sn(nn.Embedding(classes, width))

    def forward(self, x, y):
        h = x
        for block in self.blocks:
            h = block(h)
        h = F.relu(h).sum(dim=(2, 3))
        return self.linear(h) + (self.embed(y) * h).sum(1, keepdim=True)


def networks(kind, resolution, channels, classes, latent=100, embedding=50, ngf=64, ndf=64):
    if kind == "conditional-resnet":
        return (ResidualGenerator(resolution, channels, classes, latent, ngf),
                ResidualDiscriminator(resolution, channels, classes, ndf))
    return Generator(resolution, channels, classes, latent, embedding, ngf), Discriminator(resolution, channels, classes, ndf)


def hinge_step(g, d, opt_g, opt_d, real, labels, latent):
    z = torch.randn(real.shape[0], latent)
    fake = g(z, labels)
    opt_d.zero_grad()
    F.relu(1 - d(real, labels)).mean().backward()
    F.relu(1 + d(fake.detach(), labels)).mean().backward()
    opt_d.step()
    opt_g.zero_grad()
    (-d(fake, labels)).mean().backward()
    opt_g.step()


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
    kind = "conditional-resnet" if args.architecture == "resnet" else "conditional-dcgan"
    g, d = networks(kind, args.resolution, args.channels, 10, ngf=args.ngf, ndf=args.ndf)
    step = hinge_step if args.architecture == "resnet" else train_step
    opt_g = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    real = torch.rand(args.batch, args.channels, args.resolution, args.resolution) * 2 - 1
    labels = torch.arange(args.batch) % 10
    for _ in range(3):
        step(g, d, opt_g, opt_d, real, labels, 100)
    times = []
    for _ in range(args.steps):
        start = time.perf_counter()
        step(g, d, opt_g, opt_d, real, labels, 100)
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
    g, d = networks(a["kind"], a["resolution"], a["channels"], a["classes"], a["latent"], a["embedding"], a["ngf"], a["ndf"])
    state = load_file(args.load)
    modules = [("generator.", g), ("discriminator.", d)]
    if any(k.startswith("generator_ema.") for k in state):
        ema = networks(a["kind"], a["resolution"], a["channels"], a["classes"], a["latent"], a["embedding"], a["ngf"], a["ndf"])[0]
        modules.append(("generator_ema.", ema))
    for prefix, module in modules:
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
    parser.add_argument("--architecture", choices=["dcgan", "resnet"], default="dcgan")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--load")
    parser.add_argument("--run-json")
    args = parser.parse_args()
    load(args) if args.load else bench(args)
