"""Lambda entry points: parse, call one application service, map the result and the errors.

Importing any of them first holds garbage collection until the entry module is ready
(``common.init_phase``) and registers the Powertools packages whose ``__init__`` would import
more than a function needs (``common.lazy_packages``): both only shorten the cold start.
"""

from handlers.common import init_phase, lazy_packages

init_phase.hold()
lazy_packages.register_all()
