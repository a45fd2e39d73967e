#!/usr/bin/env python3
"""The conditional GANs of synthstudio's GAN module (DCGAN and ResNet), in PyTorch: the peer for
`make bench`, and proof that our checkpoints load into PyTorch (`--load RUN/checkpoint.safetensors`)
and PyTorch's into synthstudio (`--train RUN`).

Same layers, same parameter names (`generator.embed.weight`, `generator.net.1.weight`, …), same
training step (one discriminator update on real and generated images, one generator update,
non-saturating BCE or hinge, Adam at the run's rates and betas, the mode-seeking term when the run
has one).

    python3 dcgan_torch.py --threads 2 --steps 30 --json            # step time on random data
    python3 dcgan_torch.py --load runs/digits/checkpoint.safetensors --run-json runs/digits/run.json \
        [--expect OUTPUTS.safetensors]                               # outputs compared with ours
    python3 dcgan_torch.py --train RUN --data TRAIN.safetensors --seconds 300

`--train` reads the architecture and the training recipe from RUN/run.json (written by the bench:
loss, batch, learning rate, betas, augmentation, EMA) and the training images from TRAIN.safetensors
(`images` N×C×R×R in [-1, 1] and `labels`, exactly the tensor synthstudio trains on), trains for the
wall-clock budget the way synthstudio's GANModel.trainStep does (class-balanced batches, ADA,
the warmed-up moving average) and writes RUN/checkpoint.safetensors in synthstudio's format, so
`synthstudio gan sample`, `gan check` and `evaluate` judge both trainers with one evaluator.
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
    sampler = modules[-1][1] if modules[-1][0] == "generator_ema." else g
    sampler.eval()
    d.eval()
    with torch.no_grad():
        if args.expect:
            # The same weights, the same inputs: how far PyTorch's outputs are from synthstudio's.
            expected = load_file(args.expect)
            labels = expected["labels"].long()
            images = sampler(expected["noise"], labels)
            logits = d(expected["images"], labels)
            print(json.dumps({
                "images_max_difference": (images - expected["images"]).abs().max().item(),
                "images_max": expected["images"].abs().max().item(),
                "logits_max_difference": (logits - expected["logits"]).abs().max().item(),
                "logits_max": expected["logits"].abs().max().item()}))
            return
        images = sampler(torch.randn(len(run["classes"]), a["latent"]), torch.arange(len(run["classes"])))
    print(json.dumps({"loaded": True, "generated_shape": list(images.shape), "min": images.min().item(), "max": images.max().item()}))


def step_check(args):
    """Loads a synthstudio run's first checkpoint, takes the steps synthstudio took on the same
    batches (real images, labels, noise; no augmentation), and compares every tensor with
    synthstudio's checkpoint after them, beside the same steps in PyTorch on 1 thread against 2
    (what summation order alone moves): the worst tensors, and the images the stepped
    generators make of the same noise."""
    import os
    from safetensors.torch import load_file
    folder = args.step_check
    run = json.load(open(os.path.join(folder, "run.json")))
    start = load_file(os.path.join(folder, "start.safetensors"))
    batches = load_file(os.path.join(folder, "batches.safetensors"))
    ours = {"state": load_file(os.path.join(folder, "after.safetensors")),
            "images": load_file(os.path.join(folder, "images.safetensors"))["images"]}
    two, gradients = take_steps(run, start, batches, threads=2)
    one, _ = take_steps(run, start, batches, threads=1)
    # A bias feeding a batch norm has no gradient but rounding noise (the norm takes its mean
    # away), which Adam turns into whole steps either way: left out (with its moving average),
    # and counted.
    largest = max(gradients.values())
    noise_only = sorted(n for n, v in gradients.items() if v < 1e-6 * largest)
    skipped = set(noise_only) | {"generator_ema." + n[len("generator."):] for n in noise_only if n.startswith("generator.")}

    def compare(a, b):
        """Each tensor's largest difference against how far the steps moved it from the start."""
        rows, differing, moving = [], 0.0, 0.0
        for name, value in b["state"].items():
            if name.endswith("num_batches_tracked") or name in skipped:
                continue
            other = a["state"][name].to(value.dtype)
            step = (value - start[name].to(value.dtype)).abs() if name in start else torch.zeros_like(value)
            rows.append((name, (value - other).abs().max().item(), step.max().item()))
            if name.startswith(("generator.", "discriminator.")) and "running" not in name and "weight_u" not in name \
                    and "weight_v" not in name:
                differing += (value - other).abs().sum().item()
                moving += step.sum().item()
        rows.sort(key=lambda x: -x[1] / max(x[2], 1e-12))
        return {"images_max_difference": (a["images"] - b["images"]).abs().max().item(),
                "weights_mean_ratio": differing / max(moving, 1e-30),
                "worst": [{"name": n, "max_difference": diff, "moved": moved} for n, diff, moved in rows[:6]],
                "tensors": len(rows)}

    print(json.dumps({"steps": int(batches["count"].item()), "without_gradient": noise_only,
                      "synthstudio_vs_pytorch": compare(ours, two), "pytorch_1_vs_2_threads": compare(one, two)}))


def generator_loss(logits, hinge, fake, z, mode_seeking):
    """The generator's loss: non-saturating BCE or hinge, plus synthstudio's mode-seeking term
    (MSGAN) when the run has one: weight / (r + 1e-5), r = mean|G(z1) - G(z2)| / mean|z1 - z2| over
    the pairs (i, i + N/2) of a batch whose second half repeats the first half's classes."""
    loss = -logits.mean() if hinge else F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))
    if mode_seeking > 0:
        h = fake.shape[0] // 2
        ratio = (fake[:h] - fake[h:2 * h]).abs().mean() / (z[:h] - z[h:2 * h]).abs().mean()
        loss = loss + mode_seeking / (ratio + 1e-5)
    return loss


def batch_labels(batch, classes, mode_seeking):
    """A batch's classes; with the mode-seeking term the second half repeats the first."""
    if mode_seeking > 0:
        half = torch.randint(0, classes, (batch // 2,))
        return torch.cat([half, half])
    return torch.randint(0, classes, (batch,))


def take_steps(run, start, batches, threads):
    """The steps of step_check in PyTorch on `threads` threads: the state after them (under
    synthstudio's checkpoint names) with the stepped sampler's images of the first batch's noise,
    and each parameter's largest gradient at the first step."""
    import copy
    torch.set_num_threads(threads)
    a, t = run["architecture"], run["training"]
    g, d = networks(a["kind"], a["resolution"], a["channels"], a["classes"], a["latent"], a["embedding"], a["ngf"], a["ndf"])
    for prefix, module in [("generator.", g), ("discriminator.", d)]:
        module.load_state_dict({k[len(prefix):]: v.clone() for k, v in start.items() if k.startswith(prefix)}, strict=True)
    ema_decay = float(t.get("ema", 0))
    ema = copy.deepcopy(g) if ema_decay > 0 else None
    opt_g = torch.optim.Adam(g.parameters(), lr=t["learning_rate"], betas=(t["beta1"], t["beta2"]))
    opt_d = torch.optim.Adam(d.parameters(), lr=discriminator_rate(t), betas=(t["beta1"], t["beta2"]))
    hinge = t.get("loss", "bce") == "hinge"
    gradients = {}
    g.train()
    d.train()
    for k in range(int(batches["count"].item())):
        real, y, z = batches[f"real_{k}"], batches[f"labels_{k}"].long(), batches[f"noise_{k}"]
        fake = g(z, y)
        opt_d.zero_grad()
        for images, is_real in [(real, True), (fake.detach(), False)]:
            logits = d(images, y)
            if hinge:
                loss = F.relu(1 - logits).mean() if is_real else F.relu(1 + logits).mean()
            else:
                loss = F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, 1.0 if is_real else 0.0))
            loss.backward()
        if k == 0:
            gradients.update({"discriminator." + n: p.grad.abs().max().item() for n, p in d.named_parameters()})
        opt_d.step()
        opt_g.zero_grad()
        generator_loss(d(fake, y), hinge, fake, z, float(t.get("mode_seeking", 0))).backward()
        if k == 0:
            gradients.update({"generator." + n: p.grad.abs().max().item() for n, p in g.named_parameters()})
        opt_g.step()
        if ema is not None:
            average(ema, g, ema_decay, k + 1)
    state = {}
    for prefix, module in [("generator.", g), ("discriminator.", d)] + ([("generator_ema.", ema)] if ema is not None else []):
        state.update({prefix + n: v.detach().clone() for n, v in module.state_dict().items()})
    sampler = ema if ema is not None else g
    sampler.eval()
    with torch.no_grad():
        images = sampler(batches["noise_0"], batches["labels_0"].long())
    return {"state": state, "images": images}, gradients


def discriminator_rate(t):
    """The discriminator's learning rate: its own (two time-scale rule) or the generator's."""
    return t.get("learning_rate_discriminator", t["learning_rate"])


def average(ema, g, decay, step):
    """The moving average of G after `step` steps, warmed up as synthstudio's: decay
    min(d, (1 + step) / (10 + step)); batch-norm statistics copied."""
    decay = min(decay, (1 + step) / (10 + step))
    with torch.no_grad():
        for target_p, source in zip(ema.parameters(), g.parameters()):
            target_p.mul_(decay).add_(source, alpha=1 - decay)
        for target_b, source in zip(ema.buffers(), g.buffers()):
            target_b.copy_(source)


def dcgan_init(module):
    """DCGAN's initialization, as synthstudio's: convolutions N(0, 0.02), batch-norm scales N(1, 0.02)."""
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(m.weight, 0, 0.02)
        elif isinstance(m, nn.BatchNorm2d) and m.affine:
            nn.init.normal_(m.weight, 1, 0.02)
            nn.init.zeros_(m.bias)


def augment(x, ops, p):
    """DiffAugment's colour, translation and cutout, each applied to each image with probability p
    (every image when p is 1), differentiable, as synthstudio's DiffAugment draws and applies them."""
    n, c, h, w = x.shape
    def on():
        return torch.ones(n, dtype=torch.bool) if p >= 1 else torch.rand(n) < p
    for op in ops:
        if op == "color":
            mask = on()
            b, s, k = torch.rand(n) - 0.5, torch.rand(n) * 2, torch.rand(n) + 0.5
            b = torch.where(mask, b, torch.zeros(n)).view(n, 1, 1, 1)
            s = torch.where(mask, s, torch.ones(n)).view(n, 1, 1, 1)
            k = torch.where(mask, k, torch.ones(n)).view(n, 1, 1, 1)
            x = x + b
            mean = x.mean(1, keepdim=True)
            x = s * x + (1 - s) * mean
            mean = x.mean((1, 2, 3), keepdim=True)
            x = k * x + (1 - k) * mean
        elif op == "translation":
            mask = on()
            limit = max(1, h // 8)
            shifts = torch.randint(-limit, limit + 1, (n, 2))
            shifts[~mask] = 0
            padded = F.pad(x, (limit, limit, limit, limit))
            x = torch.stack([padded[i, :, limit - int(dy):limit - int(dy) + h, limit - int(dx):limit - int(dx) + w]
                             for i, (dx, dy) in enumerate(shifts.tolist())])
        elif op == "cutout":
            mask = on()
            size, half = h // 2, h // 4
            centres = torch.randint(0, h, (n, 2))
            ys, xs = torch.arange(h).view(1, h, 1), torch.arange(w).view(1, 1, w)
            cx, cy = centres[:, 0].view(n, 1, 1), centres[:, 1].view(n, 1, 1)
            cut = (xs >= cx - half) & (xs < cx - half + size) & (ys >= cy - half) & (ys < cy - half + size)
            cut = cut & mask.view(n, 1, 1)
            x = x * (~cut).unsqueeze(1).to(x.dtype)
    return x


def train(args):
    """Trains the run in args.train for args.seconds and writes a synthstudio checkpoint."""
    import copy
    import os
    from safetensors.torch import load_file, save_file
    torch.set_num_threads(args.threads)
    run = json.load(open(os.path.join(args.train, "run.json")))
    a, t = run["architecture"], run["training"]
    torch.manual_seed(int(t["seed"]) % (2 ** 63))
    kind = a["kind"]
    g, d = networks(kind, a["resolution"], a["channels"], a["classes"], a["latent"], a["embedding"], a["ngf"], a["ndf"])
    if kind != "conditional-resnet":
        dcgan_init(g)
        dcgan_init(d)
    ema_decay = float(t.get("ema", 0))
    ema = copy.deepcopy(g) if ema_decay > 0 else None
    lr, betas = t["learning_rate"], (t["beta1"], t["beta2"])
    opt_g = torch.optim.Adam(g.parameters(), lr=lr, betas=betas)
    opt_d = torch.optim.Adam(d.parameters(), lr=discriminator_rate(t), betas=betas)
    data = load_file(args.data)
    images, labels = data["images"].float(), data["labels"].long()
    if images.shape[1:] != (a["channels"], a["resolution"], a["resolution"]):
        raise SystemExit(f"{args.data}: images are {tuple(images.shape)}, the run trains at {a['resolution']} px")
    by_class = [torch.nonzero(labels == c).flatten() for c in range(a["classes"])]
    batch, latent, classes = t["batch"], a["latent"], a["classes"]
    ops, adaptive = t.get("augment", []), bool(t.get("augment_adaptive", False))
    target = float(t.get("augment_target", 0.6))
    p = 0.0 if adaptive else 1.0
    hinge = t.get("loss", "bce") == "hinge"
    mode_seeking = float(t.get("mode_seeking", 0))

    def d_loss(logits, real):
        if hinge:
            return F.relu(1 - logits).mean() if real else F.relu(1 + logits).mean()
        return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, 1.0 if real else 0.0))

    step, started = 0, None
    while started is None or time.perf_counter() - started < args.seconds:
        if started is None:
            started = time.perf_counter()
        y = batch_labels(batch, classes, mode_seeking)
        picks = torch.stack([by_class[c][torch.randint(0, len(by_class[c]), (1,))][0] for c in y.tolist()])
        real = images[picks]
        z = torch.randn(batch, latent)
        fake = g(z, y)
        opt_d.zero_grad()
        real_logits = d(augment(real, ops, p), y)
        positive = (real_logits > 0).float().mean().item()
        d_loss(real_logits, True).backward()
        d_loss(d(augment(fake.detach(), ops, p), y), False).backward()
        opt_d.step()
        opt_g.zero_grad()
        generator_loss(d(augment(fake, ops, p), y), hinge, fake, z, mode_seeking).backward()
        opt_g.step()
        step += 1
        if ema is not None:
            average(ema, g, ema_decay, step)
        if adaptive:
            p = min(1.0, max(0.0, p + (1 if 2 * positive - 1 > target else -1) * batch / 50000))
    elapsed = time.perf_counter() - started

    tensors = {}
    for prefix, module in [("generator.", g), ("discriminator.", d)] + ([("generator_ema.", ema)] if ema is not None else []):
        for name, value in module.state_dict().items():
            tensors[prefix + name] = value.detach().contiguous()
    for prefix, module, opt in [("generator", g, opt_g), ("discriminator", d, opt_d)]:
        for name, parameter in module.named_parameters():
            state = opt.state[parameter]
            tensors[f"optimizer.{prefix}.{name}.exp_avg"] = state["exp_avg"].contiguous()
            tensors[f"optimizer.{prefix}.{name}.exp_avg_sq"] = state["exp_avg_sq"].contiguous()
    metadata = {"format": run["format"], "step": str(step), "random_state": "1", "generator_adam_step": str(step),
                "discriminator_adam_step": str(step), "trainer": f"PyTorch {torch.__version__}"}
    if adaptive:
        metadata["augment_probability"] = repr(p)
    path = os.path.join(args.train, "checkpoint.safetensors")
    save_file(tensors, path + ".tmp", metadata=metadata)
    os.replace(path + ".tmp", path)
    print(json.dumps({"steps": step, "seconds": elapsed, "augment_probability": p, "torch": torch.__version__,
                      "threads": args.threads}))


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
    parser.add_argument("--expect", help="with --load: synthstudio's outputs (noise, labels, images, logits) to compare with")
    parser.add_argument("--train", help="a run folder whose run.json the bench wrote")
    parser.add_argument("--data", help="the training tensor (safetensors: images, labels)")
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--step-check", help="a folder with run.json, start, batches and after safetensors (see step_check)")
    args = parser.parse_args()
    if args.train:
        train(args)
    elif args.step_check:
        step_check(args)
    elif args.load:
        load(args)
    else:
        bench(args)
