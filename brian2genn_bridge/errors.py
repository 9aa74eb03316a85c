"""The error for a Brian feature that the device does not support (a leaf
module: every translator raises it)."""

__all__ = ["unsupported"]


def unsupported(obj, feature: str, workaround: str) -> NotImplementedError:
    """The error raised for a Brian feature the device does not support."""
    return NotImplementedError(
        f"{type(obj).__name__} '{obj.name}': {feature} is not supported by the "
        f"GeNN device. Workaround: {workaround}"
    )
