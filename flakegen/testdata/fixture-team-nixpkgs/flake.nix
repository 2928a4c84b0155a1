# Test fixture standing in for nixpkgs in a team's flake; it is NOT
# nixpkgs. It has the little the README's team flake uses: lib.genAttrs and
# a writeShellScript that records its text and builds with /bin/sh.
{
  description = "nixboard test fixture standing in for nixpkgs (team flake)";
  outputs =
    { self }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ];
      genAttrs = names: f: builtins.listToAttrs (map (n: { name = n; value = f n; }) names);
    in
    {
      lib = { inherit genAttrs; };
      legacyPackages = genAttrs systems (system: {
        writeShellScript =
          name: text:
          derivation {
            inherit name system text;
            builder = "/bin/sh";
            args = [ "-c" "echo \"$text\" > $out" ];
            fixture = "writeShellScript";
          };
      });
    };
}
