"""The data doctor: look at a user's data before training and say what will go wrong.

Like the gradient doctor (``dl.gradient_lab.doctor``) it produces codes and numbers, never words:
each page turns a ``Finding`` into an English or Chinese sentence from ``locales/*/data_doctor.json``,
so the CLI, the tests and both languages read the same diagnosis. One module per kind of data:
``texts``, ``images``, ``ratings``; ``labels`` holds the checks every classification set shares.
"""

from dl.data_doctor.findings import Diagnosis, Finding, Severity

__all__ = ["Diagnosis", "Finding", "Severity"]
