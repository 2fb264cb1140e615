"""A generative adversarial network on one number: a generator learns to imitate a 1-D distribution.

The generator turns Gaussian noise into samples; the discriminator tries to tell them from real
samples; each trains against the other (the non-saturating GAN loss of Goodfellow et al. 2014). In one
dimension the whole story fits in a histogram: generated samples versus the real density, over steps.
PyTorch (small MLPs, a few hundred steps: about a second on a CPU).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

TARGETS = ["gaussian", "bimodal", "uniform"]


@dataclass(frozen=True)
class GanConfig:
    target: str = "bimodal"  # two modes show mode collapse and recovery better than one
    steps: int = 600  # enough for all three targets to appear on the histogram at this learning rate
    snapshot_every: int = 60  # ten snapshots: a slider with a handful of stops
    noise_size: int = 4  # the generator's input: a few Gaussian numbers are plenty for 1-D output
    hidden_units: int = 32  # both networks: small, fast, still flexible enough for two bumps
    batch_size: int = 128  # a smooth estimate of each distribution per step
    learning_rate: float = 4e-3  # Adam with beta1 = 0.5 (the usual GAN setting), fast enough for 600 steps
    samples_per_snapshot: int = 2000  # enough to draw a clear histogram
    seed: int = 0  # the same run every time


def real_samples(target: str, count: int, random: np.random.Generator) -> np.ndarray:
    """``count`` samples of the distribution the generator must learn."""
    if target == "gaussian":
        return random.normal(2.0, 0.6, size=count)
    if target == "bimodal":
        centres = random.choice([-2.0, 2.0], size=count)
        return centres + random.normal(0.0, 0.5, size=count)
    if target == "uniform":
        return random.uniform(-1.5, 2.5, size=count)
    raise ValueError(f"unknown target {target!r}; choose one of {', '.join(TARGETS)}")


def train_gan(config: GanConfig) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Train the GAN and return (samples, history).

    ``samples``: columns step, source ("generated" or "real"), value: ``samples_per_snapshot``
    generated samples at step 0 and every ``snapshot_every`` steps, plus as many real samples (step -1).
    ``history``: columns step, discriminator_loss, generator_loss, discriminator_on_real (mean D(x) on
    real samples), discriminator_on_generated (mean D(G(z))); at a balance both sit near 0.5.
    """
    from dl.device import limited_torch_threads

    with limited_torch_threads(1):
        return _train(config)


def _train(config: GanConfig) -> tuple[pd.DataFrame, pd.DataFrame]:
    import torch
    from torch import nn

    torch.manual_seed(config.seed)
    random = np.random.default_rng(config.seed)
    generator = nn.Sequential(
        nn.Linear(config.noise_size, config.hidden_units), nn.LeakyReLU(0.2),
        nn.Linear(config.hidden_units, config.hidden_units), nn.LeakyReLU(0.2),
        nn.Linear(config.hidden_units, 1),
    )
    discriminator = nn.Sequential(
        nn.Linear(1, config.hidden_units), nn.LeakyReLU(0.2),
        nn.Linear(config.hidden_units, config.hidden_units), nn.LeakyReLU(0.2),
        nn.Linear(config.hidden_units, 1),
    )
    generator_optimizer = torch.optim.Adam(generator.parameters(), lr=config.learning_rate, betas=(0.5, 0.999))
    discriminator_optimizer = torch.optim.Adam(discriminator.parameters(), lr=config.learning_rate, betas=(0.5, 0.999))
    loss_function = nn.BCEWithLogitsLoss()
    ones, zeros = torch.ones(config.batch_size, 1), torch.zeros(config.batch_size, 1)
    fixed_noise = torch.randn(config.samples_per_snapshot, config.noise_size)

    snapshots = [_snapshot(generator, fixed_noise, 0)]
    history = []
    for step in range(1, config.steps + 1):
        real = torch.tensor(real_samples(config.target, config.batch_size, random), dtype=torch.float32)[:, None]
        fake = generator(torch.randn(config.batch_size, config.noise_size))

        # discriminator: real → 1, generated → 0 (detach: this step must not move the generator)
        real_logits, fake_logits = discriminator(real), discriminator(fake.detach())
        discriminator_loss = loss_function(real_logits, ones) + loss_function(fake_logits, zeros)
        discriminator_optimizer.zero_grad()
        discriminator_loss.backward()
        discriminator_optimizer.step()

        # generator: make the discriminator say 1 on generated samples (non-saturating loss)
        generator_logits = discriminator(fake)
        generator_loss = loss_function(generator_logits, ones)
        generator_optimizer.zero_grad()
        generator_loss.backward()
        generator_optimizer.step()

        history.append((step, discriminator_loss.item(), generator_loss.item(),
                        torch.sigmoid(real_logits).mean().item(), torch.sigmoid(fake_logits).mean().item()))
        if step % config.snapshot_every == 0:
            snapshots.append(_snapshot(generator, fixed_noise, step))

    real_reference = real_samples(config.target, config.samples_per_snapshot, np.random.default_rng(config.seed + 1))
    snapshots.append(pd.DataFrame({"step": -1, "source": "real", "value": real_reference}))
    history_table = pd.DataFrame(history, columns=["step", "discriminator_loss", "generator_loss",
                                                   "discriminator_on_real", "discriminator_on_generated"])
    return pd.concat(snapshots, ignore_index=True), history_table


def _snapshot(generator, noise, step: int) -> pd.DataFrame:
    import torch

    with torch.no_grad():
        values = generator(noise)[:, 0].numpy().astype(float)
    return pd.DataFrame({"step": step, "source": "generated", "value": values})
