"""Where OrderFlow runs: the SAM template, the local stack, the operator tools."""
