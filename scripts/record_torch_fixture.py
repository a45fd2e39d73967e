#!/usr/bin/env python3
"""Records forward values and gradients from PyTorch for NeuralNet's layer tests.

Weights, inputs and output gradients are made from closed formulas that the Swift tests compute
the same way (`Formula` in Tests/NeuralNetTests), so the fixture only stores PyTorch's answers:

    python3 scripts/record_torch_fixture.py > Tests/NeuralNetTests/Fixtures/torch_layers.json

Recorded once with torch 2.13.0 (CPU); re-run only when adding a case.
"""
import json
import math

import torch

torch.set_default_dtype(torch.float32)


def formula(shape, a, b):
    """value[i] = sin(a·i + b) / 2 over the flattened tensor."""
    n = math.prod(shape)
    return torch.tensor([math.sin(a * i + b) / 2 for i in range(n)], dtype=torch.float32).reshape(shape)


def record(module, x, params, grad_formula=(0.23, 0.7)):
    with torch.no_grad():
        for name, (a, b) in params.items():
            p = dict(module.named_parameters())[name]
            p.copy_(formula(tuple(p.shape), a, b))
    module.zero_grad()
    x = x.clone().requires_grad_(True)
    y = module(x)
    y.backward(formula(tuple(y.shape), *grad_formula))
    out = {"output": y.detach().flatten().tolist(), "output_shape": list(y.shape),
           "input_gradient": x.grad.flatten().tolist()}
    for name, p in module.named_parameters():
        out[name + "_gradient"] = p.grad.flatten().tolist()
    for name, b in module.named_buffers():
        if b.dtype == torch.float32:
            out[name] = b.flatten().tolist()
    return out


cases = {}
cases["conv_k3_s1_p1"] = record(torch.nn.Conv2d(3, 4, 3, 1, 1), formula((2, 3, 5, 5), 0.11, 0.3),
                                {"weight": (0.37, 0.1), "bias": (0.5, 0.2)})
cases["conv_k4_s2_p1"] = record(torch.nn.Conv2d(2, 3, 4, 2, 1, bias=False), formula((2, 2, 8, 8), 0.13, 0.4),
                                {"weight": (0.29, 0.6)})
cases["convt_k4_s2_p1"] = record(torch.nn.ConvTranspose2d(3, 2, 4, 2, 1), formula((2, 3, 4, 4), 0.17, 0.5),
                                 {"weight": (0.31, 0.2), "bias": (0.7, 0.1)})
cases["convt_k4_s1_p0"] = record(torch.nn.ConvTranspose2d(5, 3, 4, 1, 0, bias=False), formula((2, 5, 1, 1), 0.19, 0.8),
                                 {"weight": (0.41, 0.3)})
bn = torch.nn.BatchNorm2d(3)
cases["batchnorm_train"] = record(bn, formula((4, 3, 2, 2), 0.53, 0.2), {"weight": (0.3, 1.2), "bias": (0.9, 0.4)})
bn.eval()
cases["batchnorm_eval"] = record(bn, formula((2, 3, 2, 2), 0.61, 0.1), {"weight": (0.3, 1.2), "bias": (0.9, 0.4)})
cases["linear"] = record(torch.nn.Linear(5, 4), formula((3, 5), 0.43, 0.9), {"weight": (0.27, 0.5), "bias": (0.33, 0.6)})
cases["leaky_relu"] = record(torch.nn.LeakyReLU(0.2), formula((2, 7), 0.9, 0.1) * 4, {})
cases["tanh"] = record(torch.nn.Tanh(), formula((2, 7), 0.9, 0.1) * 4, {})
cases["sigmoid"] = record(torch.nn.Sigmoid(), formula((2, 7), 0.9, 0.1) * 4, {})
cases["relu"] = record(torch.nn.ReLU(), formula((2, 7), 0.9, 0.1) * 4, {})

logits = (formula((6, 1), 1.3, 0.2) * 8).requires_grad_(True)
for target in (0.0, 1.0):
    loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, torch.full_like(logits, target))
    logits.grad = None
    loss.backward()
    cases[f"bce_target{int(target)}"] = {"output": [loss.item()], "input_gradient": logits.grad.flatten().tolist()}
ce_logits = (formula((3, 4), 0.7, 0.3) * 6).requires_grad_(True)
loss = torch.nn.functional.cross_entropy(ce_logits, torch.tensor([2, 0, 3]))
loss.backward()
cases["cross_entropy"] = {"output": [loss.item()], "input_gradient": ce_logits.grad.flatten().tolist()}

# Adam: three steps on a (2, 3) parameter with gradients from the formula, lr 0.01, betas (0.5, 0.999).
p = torch.nn.Parameter(formula((2, 3), 0.3, 0.1))
adam = torch.optim.Adam([p], lr=0.01, betas=(0.5, 0.999))
for step in range(3):
    p.grad = formula((2, 3), 0.7 + step, 0.2)
    adam.step()
state = adam.state[p]
cases["adam_3_steps"] = {"output": p.detach().flatten().tolist(), "exp_avg": state["exp_avg"].flatten().tolist(),
                         "exp_avg_sq": state["exp_avg_sq"].flatten().tolist()}

print(json.dumps({"torch": torch.__version__, "cases": cases}, indent=1))
