package governance

// ContainsLower exposes containsLower to the external tests.
var ContainsLower = containsLower
