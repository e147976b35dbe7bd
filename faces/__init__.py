"""The face pipeline shared by the kiosk (recognition) and the hub (enrolment).

A backend is ``detect -> align -> embed``; ``quality`` gates crops, ``gallery`` matches
embeddings, ``liveness`` tells a live face from a held-up photo, ``enrol`` turns photos
into templates.
"""

from faces.backends import available_backends, load_backend
from faces.gallery import Gallery, Match
from faces.types import Face

__all__ = ["Face", "Gallery", "Match", "available_backends", "load_backend"]
