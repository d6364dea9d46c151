"""The top bar's generation speed: live tokens/s while generating, TTFT and prompt speed of the last call."""

from __future__ import annotations

from pathlib import Path

from glassbox_factory import make_app
from helpers import send, started, wait_for

from widgets.footer import fit_keys
from widgets.topbar import CallSpeed, SpeedMeter, TopBar, call_speed


def test_call_speed_counts_only_evaluated_prompt_tokens() -> None:
    assert call_speed(1000, 600, 0.5, 80.0) == CallSpeed(0.5, 800.0, 80.0)
    assert call_speed(1000, 1000, 0.05, 80.0).prompt_tokens_per_s is None, "all from the prefix cache"


def test_speed_meter_measures_a_window_and_goes_idle() -> None:
    meter = SpeedMeter()
    assert meter.rate(0.0) is None
    for step in range(11):  # 10 tokens a tick, a tick every 0.1 s: 100 tokens/s
        meter.add(10, 1.0 + step * 0.1)
    rate = meter.rate(2.0)
    assert rate is not None and 99 <= rate <= 101
    assert meter.rate(3.5) is None, "no token for more than a second: not generating"
    meter.reset()
    assert meter.rate(2.0) is None


def test_fit_keys_keeps_priority_order_within_the_width() -> None:
    entries = [("quit", 9), ("help", 9), ("sessions", 13), ("new", 8)]
    assert fit_keys(entries, 40) == ["quit", "help", "sessions", "new"]
    assert fit_keys(entries, 30) == ["quit", "help"], "a less important key never displaces one before it"


def test_topbar_line_drops_long_forms_then_model_then_title() -> None:
    bar = TopBar()
    bar.session_title, bar.model_name, bar.run_state = "A title", "smollm2", "idle"
    bar.last = CallSpeed(0.25, 1840.0, 21.5)
    wide = bar.line(160).plain
    assert "model: smollm2" in wide and "TTFT 0.25 s" in wide and "prompt 1,840 tok/s" in wide
    assert "last 21.5 tok/s" in wide
    narrow = bar.line(60).plain
    assert len(narrow) <= 60 and "TTFT 0.25s" in narrow and "smollm2" not in narrow


async def test_topbar_shows_the_last_calls_speed(tmp_path: Path) -> None:
    app = make_app(tmp_path, ["Hello there, a reply of a few tokens."])
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "hi")
        line = str(app.dashboard.topbar.render())
        turn = app.dashboard.cost.turn
        # FixedTimingModel: TTFT 0.25 s, 20 tokens/s; nothing came from a prefix cache.
        assert "TTFT 0.25 s" in line and "last 20.0 tok/s" in line
        assert f"prompt {turn.prompt_tokens / 0.25:.1f} tok/s" in line or \
            f"prompt {turn.prompt_tokens / 0.25:,.0f} tok/s" in line


async def test_topbar_shows_live_tokens_per_second_while_generating(tmp_path: Path) -> None:
    words = " ".join(f"w{i}" for i in range(3000))
    app = make_app(tmp_path, [words], snapshot=False, token_delay_s=0.005, fixed_timing=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot)
        await send(pilot, "go", wait=False)
        await wait_for(pilot, lambda: "▸" in str(app.dashboard.topbar.render()))
        assert "tok/s" in str(app.dashboard.topbar.render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.handle is None)
        await pilot.pause(0.1)
        assert "▸" not in str(app.dashboard.topbar.render()), "not generating: no live figure"
