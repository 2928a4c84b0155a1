{ ... }: { programs.gti.enable = true; }
