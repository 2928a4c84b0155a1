# Test fixture: evaluates a base layer module (assets/base/base.nix) with
# stand-ins for nixpkgs' lib and pkgs. It is NOT nixpkgs and NOT
# home-manager: it knows nothing of their packages or options. Its pkgs holds
# exactly the attribute names the test hands it (assets/packages.json), each a
# marker that records its own name, so evaluating a module that names any
# other attribute fails, and the result says which names the module used.
#
# Two views of the module come back:
#   used      every marker reachable from the module's options and config,
#             with every mkIf and lib.optionals branch kept (so a name behind
#             a flag that is off, or behind isDarwin, is still seen);
#   resolved  its config for the given config values, mkIf and mkMerge
#             resolved the simple way a test needs (later definitions of a
#             string are appended, of a list concatenated).
{
  module,
  # [ { name = "curl"; kind = "package"; } ... ]; kind is package, function
  # or set.
  names,
  config,
  system ? "x86_64-linux",
}:
let
  inherit (builtins)
    attrNames
    concatLists
    concatMap
    elem
    filter
    foldl'
    head
    isAttrs
    isBool
    isFunction
    isList
    isString
    length
    listToAttrs
    map
    split
    tail
    ;

  isLinux = builtins.match ".*-linux" system != null;
  isDarwin = builtins.match ".*-darwin" system != null;

  # A package marker. Interpolated into a string it leaves @nixboard-pkg:NAME@,
  # which the walk below picks up again.
  marker = name: {
    _nixboardPackage = name;
    type = "derivation";
    name = "${name}-fixture";
    outPath = "@nixboard-pkg:${name}@";
  };

  # The builders and sets the fixture knows how to stand in for. A name of
  # kind function or set must be listed here too, or the test says so.
  standIns = {
    writeShellScriptBin = name: text: {
      _nixboardBuilt = "writeShellScriptBin";
      inherit name text;
    };
    buildFHSEnv = args: {
      _nixboardBuilt = "buildFHSEnv";
      inherit (args) name;
      targetPkgs = args.targetPkgs pkgs;
      profile = args.profile or "";
      runScript = args.runScript or "";
    };
    stdenv.hostPlatform = { inherit isLinux isDarwin system; };
  };

  setPath =
    path: value: if path == [ ] then value else { ${head path} = setPath (tail path) value; };
  deepUpdate =
    a: b:
    a
    // builtins.mapAttrs (
      n: v:
      if a ? ${n} && isAttrs v && isAttrs a.${n} && !(v ? _nixboardPackage) then deepUpdate a.${n} v else v
    ) b;
  attrPath = n: filter isString (split "\\." n);
  standIn =
    e:
    if e.kind == "package" then
      marker e.name
    else
      builtins.getAttr e.name standIns;

  pkgs = foldl' (acc: e: deepUpdate acc (setPath (attrPath e.name) (standIn e))) { } names;

  # Just the lib functions base.nix calls, spelled so results stay visible.
  lib = {
    mkIf = condition: content: {
      _type = "if";
      inherit condition content;
    };
    mkMerge = contents: {
      _type = "merge";
      inherit contents;
    };
    mkDefault = content: {
      _type = "override";
      priority = 1000;
      inherit content;
    };
    mkOverride = priority: content: {
      _type = "override";
      inherit priority content;
    };
    mkOption = args: { _type = "option"; } // args;
    types = {
      bool = "bool";
      str = "str";
      package = "package";
      attrsOf = t: "attrsOf ${t}";
      listOf = t: "listOf ${t}";
      enum = values: "enum";
    };
    boolToString = b: if b then "true" else "false";
    # Every branch kept: the walk must see names behind any condition.
    optionalString = condition: s: s;
    optionals = condition: l: l;
    hm.dag.entryAfter = after: data: {
      _type = "dagEntry";
      inherit after data;
    };
  };

  evaluated = import module { inherit config lib pkgs; };

  markersIn =
    s: map head (filter isList (split "@nixboard-pkg:([^@]+)@" s));

  walk =
    v:
    if isAttrs v then
      if v ? _nixboardPackage then
        [ v._nixboardPackage ]
      else
        (if v ? _nixboardBuilt then [ v._nixboardBuilt ] else [ ])
        ++ concatMap (n: walk v.${n}) (attrNames v)
    else if isList v then
      concatMap walk v
    else if isString v then
      markersIn v
    else
      [ ];

  # Definitions resolved for the given config.
  resolve =
    v:
    if isAttrs v && (v._type or null) == "if" then
      (if v.condition then resolve v.content else { })
    else if isAttrs v && (v._type or null) == "merge" then
      foldl' merge { } (map resolve v.contents)
    else if isAttrs v && (v._type or null) == "override" then
      resolve v.content
    else if isAttrs v && !(v ? _nixboardPackage) && !(v ? _nixboardBuilt) then
      builtins.mapAttrs (n: resolve) v
    else
      v;
  merge =
    a: b:
    a
    // builtins.mapAttrs (
      n: v:
      if !(a ? ${n}) then
        v
      else if isList v && isList a.${n} then
        a.${n} ++ v
      else if isString v && isString a.${n} then
        a.${n} + v
      else if isAttrs v && isAttrs a.${n} && !(v ? _nixboardPackage) && !(v ? _nixboardBuilt) then
        merge a.${n} v
      else
        v
    ) b;
in
{
  used = builtins.sort builtins.lessThan (
    builtins.attrNames (
      listToAttrs (
        map (n: {
          name = n;
          value = true;
        }) (walk evaluated)
      )
    )
  );
  resolved = resolve (evaluated.config or { });
}
