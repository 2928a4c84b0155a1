# Test fixture standing in for nixpkgs; it is NOT nixpkgs. The rendered
# flake's `import nixpkgs { system; config; }` reaches default.nix here.
{
  description = "nixboard test fixture standing in for nixpkgs";
  outputs = { self }: { };
}
