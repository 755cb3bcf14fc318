"""Checkers for the "Try it" exercises: call one on your own answer to see whether it is right.

Introduced in notebook 01.

Each checker prints what is right or wrong in plain words and returns True or False; it never
raises on a wrong answer, so a learner's notebook keeps running. An answer still left as ``None``
gets a reminder instead of a verdict. Every result is also appended to ``results`` so that the test
suite can run the notebooks' solutions and make sure each checker accepted them.
"""

results: list[tuple[str, bool]] = []


def report(exercise: str, ok: bool, message: str) -> bool:
    """Print a verdict for ``exercise`` and remember it; returns ``ok``."""
    results.append((exercise, ok))
    print(("Correct! " if ok else "Not yet. ") + message)
    return ok


def unanswered(exercise: str, *answers) -> bool:
    """True (and a reminder is printed) when any answer is still ``None``."""
    if any(a is None for a in answers):
        print(f"{exercise}: replace None with your answer, then run the cell again.")
        return True
    return False


def call_safely(exercise: str, function, *args):
    """Run a learner's function: (its result, None), or (None, False) after reporting the exception.

    A bug in an answer must give a verdict in plain words, not stop the notebook with a traceback.
    """
    try:
        return function(*args), None
    except Exception as error:  # deliberately broad: whatever the learner's code raises
        return None, report(exercise, False, f"your code raised {type(error).__name__}: {error}")
