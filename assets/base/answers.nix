# nixboard's answers module.
#
# It reads your answers from ../nixboard.json as data (builtins.fromJSON) and
# hands them to the base layer's homeBase options and to the few home-manager
# options that are not part of the base layer (git identity, your shell, the
# non-NixOS Linux target).
#
# With nixboard's built-in base layer, homeBase in nixboard.json is every
# option's value. With a team's base flake (base in nixboard.json), homeBase
# holds only who you are, and base.values the team options you set away
# from the team's defaults, by path ("git.signingKey"): exactly those reach
# the team module, so an option you left alone follows the team's default.
# Change answers with nixboard, or edit nixboard.json and render again; put
# everything else in home.nix.
{
  lib,
  pkgs,
  options ? { },
  ...
}:
let
  answers = builtins.fromJSON (builtins.readFile ../nixboard.json);
  hb = answers.homeBase;
  team = answers.base or null;

  splitDots = s: builtins.filter builtins.isString (builtins.split "\\." s);

  # "python3Packages.requests" becomes pkgs.python3Packages.requests; a name
  # nixpkgs does not have stops the build with an error naming the answer.
  package =
    field: name:
    builtins.foldl' (
      found: attr:
      if builtins.isAttrs found && builtins.hasAttr attr found then
        builtins.getAttr attr found
      else
        throw "nixboard.json: ${field}: nixpkgs has no package \"${name}\"; check the name on https://search.nixos.org/packages, fix it and render again"
    ) pkgs (splitDots name);

  builtinHomeBase = hb // {
    additionalPackages = map (package "homeBase.additionalPackages") hb.additionalPackages;
  };

  # The team's values: base.packageLists names those that are package lists.
  teamValues = team.values or { };
  packageLists = team.packageLists or [ ];
  teamValue =
    key: value:
    if builtins.elem key packageLists && builtins.isList value then
      map (package "base.values.${key}") value
    else
      value;
  # setPath { } [ "git" "signingKey" ] v is { git.signingKey = v; }, keeping
  # what set already holds beside it.
  setPath =
    set: path: value:
    let
      name = builtins.head path;
    in
    if builtins.length path == 1 then
      set // { ${name} = value; }
    else
      set // { ${name} = setPath (set.${name} or { }) (builtins.tail path) value; };
  identity = {
    inherit (hb) username homeDirectory stateVersion;
  };
  # The identity reaches the team's homeBase options of the same names only
  # where the team declares them; home.* below gets it either way.
  teamHomeBase = builtins.foldl' (
    set: key: setPath set (splitDots key) (teamValue key teamValues.${key})
  ) (builtins.intersectAttrs (options.homeBase or { }) identity) (builtins.attrNames teamValues);

  # Non-NixOS Linux (vanilla WSL included) needs home-manager's generic Linux
  # target for its session variables, XDG paths and locale; macOS and NixOS
  # must not have it.
  genericLinux = answers.platform == "linux" || answers.platform == "wsl";

  gitUser =
    (if answers.git.name != "" then { name = answers.git.name; } else { })
    // (if answers.git.email != "" then { email = answers.git.email; } else { });
in
{
  homeBase = if team == null then builtinHomeBase else teamHomeBase;

  # The built-in layer sets these from its homeBase options; with a team
  # base they come from nixboard.json whatever the team module declares.
  # Equal definitions from the team module merge without a conflict.
  home =
    if team == null then
      { }
    else
      {
        username = hb.username;
        homeDirectory = hb.homeDirectory;
        stateVersion = hb.stateVersion;
      };

  programs.git.settings.user = lib.mkIf (team != null || hb.enableGit) gitUser;

  # The shell you chose gets managed, so aliases and variables reach it.
  programs.${answers.shell}.enable = true;

  targets.genericLinux.enable = lib.mkDefault genericLinux;

  # WSL brings its own GPU passthrough (/usr/lib/wsl/lib); home-manager's
  # generic GPU integration would instead ask for `sudo non-nixos-gpu-setup`
  # on every switch and pull in mesa. Bare-metal Linux keeps it, since GUI
  # programs from Nix need those drivers there.
  targets.genericLinux.gpu.enable = lib.mkIf (answers.platform == "wsl") (lib.mkDefault false);
}
