"""GeNN names of Brian's (a leaf module of the translators)."""

__all__ = ["GENN_RESERVED", "genn_identifier"]

#: Names with a meaning in GeNN code that Brian variables must not shadow.
GENN_RESERVED = frozenset(
    ["id", "id_pre", "id_post", "id_syn", "id_kernel", "Isyn", "st", "prev_st", "set",
     "prev_set", "batch", "num_neurons", "num_pre", "num_post", "num_batch", "inSyn", "t",
     "dt", "timepoint", "scalar", "addToPost", "addToPre", "addToPostDelay",
     "injectCurrent", "printf",
     # C types and keywords that are not Python keywords (Brian rejects those)
     "int", "float", "double", "bool", "char", "short", "long", "signed", "unsigned", "void",
     "const", "auto", "static", "extern", "inline", "register", "volatile", "restrict",
     "struct", "union", "enum", "typedef", "sizeof", "switch", "case", "default", "do",
     "goto", "int8_t", "uint8_t", "int16_t", "uint16_t", "int32_t", "uint32_t", "int64_t",
     "uint64_t"]
)

def genn_identifier(name: str) -> str:
    """Return a GeNN-legal identifier for a Brian name.

    Brian's internal names start with ``_``, which GeNN rejects: they get a
    ``b`` in front. User names that collide with GeNN built-ins get
    ``buser_``, which no name of the first kind starts with (Brian's state
    updaters name a variable ``Isyn``'s new value ``_Isyn``).
    """
    if name.startswith("_"):
        return "b" + name
    if name in GENN_RESERVED:
        return "buser_" + name
    return name
