# Single-user Nix profile script.
