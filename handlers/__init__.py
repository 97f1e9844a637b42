"""Lambda entry points: parse, call one application service, map the result and the errors."""
