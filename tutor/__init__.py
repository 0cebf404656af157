"""tutor: randomized exercises with worked solutions, answer checking and safe
code grading for machine-learning courses."""

__version__ = "0.1.0"
