# Test fixture standing in for nixpkgs' top-level function; it is NOT nixpkgs.
# Packages are plain attribute sets, enough to see which ones a rendered
# configuration asks for and what the unfree predicate allows.
{
  system,
  config ? { },
}:
let
  pkg = pname: {
    inherit pname;
    name = "${pname}-0-fixture";
  };
in
{
  inherit system config;
  stdenv = {
    isLinux = builtins.match ".*-linux" system != null;
    isDarwin = builtins.match ".*-darwin" system != null;
  };
  hello = pkg "hello";
  ripgrep = pkg "ripgrep";
  claude-code = pkg "claude-code";
  python3Packages.requests = pkg "requests";
  # A package without pname, as old derivations are.
  oldStyle = {
    name = "old-style-1.0";
  };
}
