"""Exceptions with messages that name what was wrong, raised before any heavy work."""

from __future__ import annotations


class EigbenchError(Exception):
    """Base of every error eigbench raises on purpose."""


class InvalidInputError(EigbenchError, ValueError):
    """The matrix, k or dtype given to a solver cannot be solved as asked."""


class UnsupportedDtypeError(EigbenchError, TypeError):
    """An input or requested dtype the solver does not handle (integer, complex, object...)."""


class UnknownSolverError(EigbenchError, KeyError):
    """No solver of that name is registered; the message suggests close names."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class UnknownOptionError(EigbenchError, TypeError):
    """An option the solver does not take."""


class DeviceError(EigbenchError, ValueError):
    """An unknown device name, or a device this machine (or framework) does not have."""


class FrameworkNotInstalledError(EigbenchError, ImportError):
    """The solver's framework is not installed; the message carries the install hint."""


class ConformanceError(EigbenchError, AssertionError):
    """A solver broke one of the shared checks; the message names the check."""
