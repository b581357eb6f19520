// Placeholder: the example app lands with its adapter issue.
