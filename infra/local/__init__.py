"""Running OrderFlow on one machine: moto with our patches, and helpers to deploy into it."""
