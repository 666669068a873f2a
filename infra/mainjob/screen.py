"""What the main job shows while it works: a line per step, and a progress bar for the long
ones (rich on a terminal; plain lines when the output is a file or a pipe)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

Advance = Callable[[int], None]


class Screen:
    """Progress on screen. Personal data never reaches it: callers pass counts and masked
    values only."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(highlight=False, soft_wrap=True)

    def say(self, text: str) -> None:
        self.console.print(text, markup=False)

    def heading(self, text: str) -> None:
        self.console.print(f"\n[bold]▶ {text}[/bold]")

    @contextmanager
    def progress(self, title: str, total: int | None) -> Iterator[Advance]:
        """A bar of ``total`` steps (``advance(n)`` moves it) on a terminal, a line per tenth
        elsewhere; a line with the count and the time taken when it is done."""
        began, done, shown = time.monotonic(), 0, 0
        columns = (TextColumn(f"  {title}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        live = self.console.is_terminal
        with Progress(*columns, console=self.console, transient=True, disable=not live) as bar:
            task = bar.add_task(title, total=total)

            def advance(n: int = 1) -> None:
                nonlocal done, shown
                done += n
                bar.update(task, advance=n)
                if not live and total and done * 10 // total > shown:
                    shown = done * 10 // total
                    self.say(f"  {title}: {done}/{total} ({time.monotonic() - began:.0f} s)")

            yield advance
        self.say(f"  {title}: {done} in {time.monotonic() - began:.1f} s")
