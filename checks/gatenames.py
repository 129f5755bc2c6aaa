"""The six gates, their code prefixes and the three levels, by name: what the command line and
the cache keys need without importing the checks themselves.
"""

GATES = ("educational", "implementation", "testing", "package", "documentation", "systems")
PREFIXES = {"educational": "EDU", "implementation": "IMP", "testing": "TST", "package": "PKG",
            "documentation": "DOC", "systems": "SYS"}
LEVELS = ("quick", "standard", "comprehensive")
