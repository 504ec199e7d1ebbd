"""Numbers in words as a person writes them: "1 epoch", "3 epochs", "one in 9", "most of them"."""


def plural(n: int, word: str, many: str | None = None) -> str:
    """ "1 epoch", "2 epochs", "1,000 images"; `many` for irregular plurals."""
    return f"{n:,} {word if n == 1 else many or word + 's'}"


def span(first: int, last: int, word: str) -> str:
    """A range of rows or columns: "rows 5–7", but "row 5" when it is one."""
    return f"{word} {first}" if first == last else f"{word}s {first}–{last}"


def one_in(rate: float) -> str:
    """A share of mistakes as "one in N" while that reads well; above a half, in other words."""
    if rate <= 0:
        return "none of them"
    if rate > 0.5:
        return f"{'most' if rate < 0.95 else 'nearly all'} of them"
    return f"one in {1 / rate:,.0f}"


def stopped_after(whole_epochs: int) -> str:
    """How far a stopped run got: "part of its first epoch", "2 whole epochs and part of the
    next"."""
    if whole_epochs == 0:
        return "part of its first epoch"
    return f"{plural(whole_epochs, 'whole epoch')} and part of the next"


SMALL = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def spelled(n: int) -> str:
    """ "nine", but "16": small numbers in words, larger ones in digits."""
    return SMALL[n] if 0 <= n < len(SMALL) else f"{n:,}"


def a_digit(digit: int) -> str:
    """The digit with its article, as it is read aloud: "a 7", "an 8"."""
    return f"{'an' if digit == 8 else 'a'} {digit}"


def percent(p: float) -> str:
    """A probability as a percentage that never rounds up to a certain 100 %."""
    return "over 99.9 %" if p > 0.999 else f"{p:.1%}"


def shape_text(shape: tuple[int, ...]) -> str:
    """A shape as the summary table writes it, e.g. 26×26×6."""
    return "×".join(str(n) for n in shape)
