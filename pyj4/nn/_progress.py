"""Training progress as Keras shows it.

In a terminal: an "Epoch i/n" header, then a bar redrawn in place from the engine's per-batch
callback, at most ``1 / interval`` times a second (so drawing never slows training), finished with
the epoch's metrics. Elsewhere (a log file, a notebook, CI): one plain line per epoch.
"""
from __future__ import annotations

import math
import sys
import time


def format_value(v: float) -> str:
    """Keras' metric format: 4 decimals, or scientific for tiny magnitudes."""
    v = float(v)
    if math.isnan(v) or math.isinf(v):
        return str(v)
    return f"{v:.4f}" if v == 0 or abs(v) >= 1e-3 else f"{v:.4e}"


def format_time(seconds: float) -> str:
    """Whole seconds from 1 s up, else milliseconds: "3s", "45ms"."""
    if seconds >= 1 or seconds == 0:
        return f"{seconds:.0f}s"
    return f"{seconds * 1e3:.0f}ms"


def format_rate(seconds_per_step: float, unit: str = "step") -> str:
    if seconds_per_step >= 1:
        return f"{seconds_per_step:.0f}s/{unit}"
    if seconds_per_step >= 1e-3:
        return f"{seconds_per_step * 1e3:.0f}ms/{unit}"
    return f"{seconds_per_step * 1e6:.0f}us/{unit}"


def format_logs(logs: dict) -> str:
    """" - loss: 0.1234 - accuracy: 0.9000 - val_loss: ..." with loss first, validation entries last."""
    def order(k):
        base = k[4:] if k.startswith("val_") else k
        return (k.startswith("val_"), base != "loss", k)

    return "".join(f" - {k}: {format_value(logs[k])}" for k in sorted(logs, key=order))


def _supports_unicode(stream) -> bool:
    enc = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
    return enc in ("utf8", "utf16", "utf32")


class ProgressBar:
    """Draws training progress; the engine's callback drives it (see models.Model.fit)."""

    def __init__(self, epochs: int, steps: int | None, verbose: int = 1, stream=None, interval: float = 0.1,
                 width: int = 20, terminal: bool | None = None, clock=time.monotonic):
        self.epochs = epochs
        self.steps = steps
        self.verbose = verbose
        self.stream = stream if stream is not None else sys.stdout
        self.interval = interval
        self.width = width
        isatty = getattr(self.stream, "isatty", None)
        self.terminal = terminal if terminal is not None else bool(isatty and isatty())
        self.bar_mode = verbose == 1 and self.terminal  # verbose=2, or not a terminal: one line per epoch
        self.unicode = _supports_unicode(self.stream)
        self._clock = clock
        self._epoch_start = 0.0
        self._last_draw = -math.inf
        self._last_len = 0
        self.draws = 0  # how many times the bar was drawn (tests check the throttle)

    @property
    def wants_batches(self) -> bool:
        """Whether per-batch updates are worth a call from the JVM (only a live bar uses them)."""
        return self.bar_mode

    # ---- epoch events
    def on_epoch_begin(self, epoch: int) -> None:
        self._epoch_start = self._clock()
        self._last_draw = -math.inf
        self._last_len = 0
        if self.bar_mode:
            self._write(f"Epoch {epoch + 1}/{self.epochs}\n")

    def on_batch_end(self, batch: int, logs) -> None:
        """``logs`` may be a callable returning the dict, so a skipped redraw costs no conversion."""
        now = self._clock()
        if not self.bar_mode or now - self._last_draw < self.interval:
            return
        self._last_draw = now
        values = logs() if callable(logs) else logs
        self._draw(batch + 1, values, now, final=False)

    def on_epoch_end(self, epoch: int, logs: dict, steps_done: int | None = None) -> None:
        now = self._clock()
        done = steps_done if steps_done is not None else self.steps
        if self.bar_mode:
            self._draw(done, logs, now, final=True)
            self._write("\n")
        else:
            elapsed = now - self._epoch_start
            rate = f" {format_rate(elapsed / done)}" if done else ""
            self._write(f"Epoch {epoch + 1}/{self.epochs} - {format_time(elapsed)}{rate}{format_logs(logs)}\n")

    # ---- drawing
    def bar(self, done: int) -> str:
        """"  12/100 ━━━━━━━━━━━━━━━━━━━━" (or ASCII "[====>.....]" where the stream is not UTF-8)."""
        total = self.steps
        if not total:
            return f"{done}/Unknown"
        digits = len(str(total))
        frac = min(max(done / total, 0.0), 1.0)
        filled = int(frac * self.width)
        if self.unicode:
            body = "\u2501" * filled + "\u2500" * (self.width - filled)
        else:
            arrow = ">" if filled < self.width else ""
            body = "[" + "=" * max(filled - len(arrow), 0) + arrow + "." * (self.width - filled) + "]"
        return f"{done:>{digits}}/{total} {body}"

    def _draw(self, done: int, logs: dict, now: float, final: bool) -> None:
        elapsed = now - self._epoch_start
        per_step = elapsed / done if done else 0.0
        if final or not self.steps:
            timing = f"{format_time(elapsed)} {format_rate(per_step)}"
        else:
            eta = per_step * (self.steps - done)
            timing = f"{format_time(eta)} {format_rate(per_step)}"
        line = f"{self.bar(done)} {timing}{format_logs(logs)}"
        pad = " " * max(self._last_len - len(line), 0)  # wipe what a longer previous line left
        self._write("\r" + line + pad)
        self._last_len = len(line)
        self.draws += 1

    def summary_line(self, logs: dict, steps: int, elapsed: float) -> str:
        """The one line evaluate() prints."""
        per_step = elapsed / steps if steps else 0.0
        if self.bar_mode:
            saved, self.steps = self.steps, steps
            try:
                head = self.bar(steps)
            finally:
                self.steps = saved
            return f"{head} {format_time(elapsed)} {format_rate(per_step)}{format_logs(logs)}"
        return f"{steps}/{steps} - {format_time(elapsed)} {format_rate(per_step)}{format_logs(logs)}"

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()
