"""Case mutations: start, claim, complete, decide, reassign."""
