"""Checkers for the "Try it" exercises: call one on your own answer to see whether it is right.

Introduced in notebook 01.

Each checker prints what is right or wrong in plain words and returns True or False; it never
raises on a wrong answer, so a learner's notebook keeps running. An answer still left as ``None``
gets a reminder instead of a verdict. Every result is also appended to ``results`` so that the test
suite can run the notebooks' solutions and make sure each checker accepted them.

Every checker goes through one guard, the ``@checker("name")`` decorator: whatever escapes it (a
learner's exception, an answer of the wrong type, a misspelt method such as ``foward``, a class
whose constructor returns something unexpected, even ``sys.exit()`` in the learner's code) becomes a
"Not yet." verdict that names the problem. The checkers still look for the common slips themselves,
to give a more precise hint; ``returned_numbers`` is the one for a result that should be numbers.
"""

import difflib
import functools

import numpy as np

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
    if not callable(function):
        return None, report(exercise, False, f"expected a function (or a class) here, got "
                                              f"{_short(function)}.")
    try:
        return function(*args), None
    except (Exception, SystemExit) as error:  # deliberately broad: whatever the learner's code raises
        return None, report(exercise, False, f"your code raised {describe_error(error)}")


def returned_numbers(exercise: str, value, who: str):
    """(``value`` as a float NumPy array, None), or (None, False) after a "Not yet." that says what came
    instead: None (a forgotten ``return``), or something that holds no numbers (a str, a generator, an
    object). ``who`` names what returned it, e.g. "max_pool" or "on the row [1, 2] your function"."""
    if value is None:
        return None, report(exercise, False, f"{who} returned None. Did you forget `return`?")
    try:
        return np.asarray(value, dtype=float), None
    except (TypeError, ValueError, OverflowError):
        return None, report(exercise, False, f"{who} should return a NumPy array of numbers, got {_short(value)}.")


def missing_methods(exercise: str, obj, names, made_by: str):
    """None if ``obj`` has every method in ``names``; otherwise False after a verdict that says which
    are missing (and which similar name it has instead, such as ``foward`` for ``forward``)."""
    missing = [name for name in names if not callable(getattr(obj, name, None))]
    if not missing:
        return None
    hints = []
    for name in missing:
        similar = difflib.get_close_matches(name, [n for n in dir(obj) if not n.startswith("__")], n=1)
        hints.append(f"{name} (it has {similar[0]!r}: a typo?)" if similar else name)
    return report(exercise, False, f"{made_by} gave {_short(obj)}, which has no method "
                                   f"{' and no method '.join(hints)}. Expected an object with "
                                   f"{' and '.join(names)}.")


def _short(value) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text[:60] + '...' if len(text) > 60 else text}"


def describe_error(error: Exception) -> str:
    """``TypeName: message``, with a suggestion for a misspelt attribute (``foward`` -> ``forward``)."""
    text = f"{type(error).__name__}: {error}"
    if isinstance(error, AttributeError) and getattr(error, "name", None) and hasattr(error, "obj"):
        similar = difflib.get_close_matches(error.name, [n for n in dir(error.obj) if not n.startswith("__")], n=1)
        if similar:
            text += f" (it has {similar[0]!r}: is {error.name!r} misspelt?)"
    return text


def checker(exercise: str):
    """Decorator for a checker function: it never raises, whatever the answer (see the module docstring).

    KeyboardInterrupt (the stop button) still stops it; every other exception, and SystemExit from a
    ``sys.exit()`` in the learner's code, becomes a "Not yet." verdict for ``exercise``.
    """
    def decorate(function):
        @functools.wraps(function)
        def guarded(*args, **kwargs):
            try:
                return function(*args, **kwargs)
            except (Exception, SystemExit) as error:  # deliberately broad: the promise is "never raises"
                try:
                    detail = describe_error(error)
                except Exception:  # an exception whose message itself fails to print
                    detail = type(error).__name__
                return report(exercise, False, f"checking your answer stopped with {detail}. Check what "
                                               f"your answer is and returns: its type, its shape, its "
                                               f"methods' names.")
        return guarded
    return decorate
