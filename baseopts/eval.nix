# nixboard's reader of a base layer's homeBase option declarations. The Go
# package baseopts writes it, with a wrapper flake and request.json, into a
# temporary directory and runs `nix eval --json` on it; everything the person
# gave (the base flake, its module's attribute path, platform, system) comes
# in as data: the flake as an input override on the command line, the rest
# through request.json.
#
# It evaluates the module the way home-manager's documentation does: the
# module with home-manager's own modules (lib.homeManagerConfiguration),
# then lib.optionAttrSetToDocList over the evaluated options. It reads each
# option's type value (name, description, functor.payload, nestedTypes) and
# its value in config for the platform. The only functions it calls beyond
# builtins are nixpkgs' lib.optionAttrSetToDocList, lib.evalModules,
# lib.mkForce and lib.mkOptionDefault, and home-manager's
# lib.homeManagerConfiguration and lib.hm, all present at nixpkgs 26.05 /
# home-manager release-26.05 and on master.
# Bump version (and baseopts' exprVersion) when the output changes.
{
  base,
  nixpkgs,
  home-manager,
  request,
}:
let
  inherit (builtins)
    all
    attrNames
    concatMap
    concatStringsSep
    elem
    filter
    foldl'
    getAttr
    hasAttr
    head
    isAttrs
    isFunction
    isList
    isString
    length
    mapAttrs
    tail
    tryEval
    typeOf
    ;
  lib = nixpkgs.lib;
  isOption = x: isAttrs x && x ? _type && x._type == "option";

  # Walks an attribute path; null when a step is missing.
  walk =
    path: set:
    foldl' (
      acc: n: if acc != null && isAttrs acc && hasAttr n acc then getAttr n acc else null
    ) set path;

  # How far the module's attribute path exists, for the message when it
  # does not.
  found =
    let
      step =
        acc: n:
        if acc.done || !(isAttrs acc.set) || !(hasAttr n acc.set) then
          acc // { done = true; }
        else
          {
            done = false;
            set = getAttr n acc.set;
            path = acc.path ++ [ n ];
          };
    in
    foldl' step {
      done = false;
      set = base;
      path = [ ];
    } request.module;

  module = walk request.module base;
  pkgs = import nixpkgs { inherit (request) system; };
  darwin = builtins.match ".*-darwin" request.system != null;

  identity = {
    # home-manager reads these while it evaluates (home.stateVersion
    # decides which nixpkgs path its modules get). A base layer usually sets
    # them from its own options; mkForce makes home-manager see these
    # instead. Nothing here reads home.* itself.
    home.username = lib.mkForce "nixboard";
    home.homeDirectory = lib.mkForce (if darwin then "/Users/nixboard" else "/home/nixboard");
    home.stateVersion = lib.mkForce request.stateVersion;
    # homeManagerConfiguration's result checks every assertion and prints
    # every warning of the whole configuration as soon as anything of it is
    # read, options included (modules/default.nix, moduleChecks, at
    # release-26.05 and master). With nothing answered yet (a base layer's
    # username has no default) those would fail; reading declarations
    # needs neither.
    assertions = lib.mkForce [ ];
    warnings = lib.mkForce [ ];
  };
  configure =
    extra:
    home-manager.lib.homeManagerConfiguration {
      inherit pkgs;
      modules = [
        module
        identity
        placeholders
      ]
      ++ extra;
    };

  # Even overridden, a definition is evaluated far enough to see whether it
  # is a mkIf or mkOverride: a base layer's `home.stateVersion =
  # cfg.stateVersion` then reads homeBase.stateVersion, which has no value
  # before the person answers, and home-manager's evaluation stops there.
  # So every homeBase option declared without a default gets a placeholder
  # of its type at mkOptionDefault priority, which any definition of the
  # module beats. The options without a default are found first with the
  # module alone (no home-manager modules, no checks of undeclared options,
  # as home-manager's documentation evaluates modules); an option whose
  # only definition is a placeholder is reported without a default.
  placeholderFile = "<nixboard: placeholders for homeBase options without a default>";
  alone = lib.evalModules {
    modules = [
      module
      { _module.check = false; }
    ];
    specialArgs = {
      inherit pkgs;
      lib = if home-manager ? lib.hm then lib // { inherit (home-manager.lib) hm; } else lib;
      modulesPath = toString home-manager + "/modules";
    };
  };
  collect =
    set:
    if isOption set then
      [ set ]
    else if isAttrs set then
      concatMap (n: collect set.${n}) (attrNames set)
    else
      [ ];
  withoutDefault =
    let
      found = tryEval (
        let
          locs = map (o: o.loc) (filter (o: !(o ? default)) (collect (alone.options.homeBase or { })));
        in
        builtins.deepSeq locs locs
      );
    in
    if found.success then found.value else [ ];
  placeholderOf =
    loc:
    let
      t = (walk (tail loc) alone.options.homeBase).type;
      name = t.name or "";
    in
    if name == "bool" then
      false
    else if name == "enum" && ((describe 0 t).values or null) != null && (describe 0 t).values != [ ] then
      head (describe 0 t).values
    else if name == "str" || name == "nonEmptyStr" || name == "singleLineStr" || builtins.substring 0 11 name == "strMatching" then
      "nixboard"
    else if builtins.match "(int|intBetween|unsignedInt.*|positiveInt|signedInt.*)" name != null then
      1
    else if (t.emptyValue or { }) ? value then
      t.emptyValue.value
    else
      throw "nixboard: ${concatStringsSep "." loc} has no value yet";
  nest =
    loc: v:
    if loc == [ ] then v else { ${head loc} = nest (tail loc) v; };
  placeholders = {
    _file = placeholderFile;
    imports = map (loc: {
      _file = placeholderFile;
      config = nest loc (lib.mkOptionDefault (placeholderOf loc));
    }) withoutDefault;
  };
  isPlaceholder = loc: elem loc withoutDefault;
  # nixboard.platform is set only when the module declares it (nixboard's
  # built-in layer does; a team's may not): defining an option nobody
  # declares is an error.
  first = configure [ ];
  declaresPlatform = first.options ? nixboard && first.options.nixboard ? platform;
  final =
    if declaresPlatform then configure [ { nixboard.platform = request.platform; } ] else first;

  homeBase = final.options.homeBase or null;

  # A type as data: enough for baseopts to choose how to ask, and the element
  # type of nullOr, listOf, attrsOf and functionTo.
  describe =
    depth: t:
    let
      payload = (t.functor or { }).payload or null;
    in
    {
      name = t.name or "unspecified";
      description = t.description or "";
      # enum's payload was the list itself in older nixpkgs, { values; } now.
      values =
        if (t.name or "") != "enum" then
          null
        else if isList payload then
          payload
        else if isAttrs payload && payload ? values then
          payload.values
        else
          null;
      pattern =
        if isAttrs payload && payload ? pattern && isString payload.pattern then payload.pattern else null;
      elem =
        if depth < 4 && (t.nestedTypes or { }) ? elemType then
          describe (depth + 1) t.nestedTypes.elemType
        else
          null;
    };

  # A value as JSON data: packages by name, functions as null, and whatever
  # fails to evaluate as null; nesting is cut at a depth no option needs.
  jsonSafe =
    depth: v:
    let
      r = tryEval v;
      x = r.value;
      t = typeOf x;
      named = tryEval (x.pname or x.name or null);
    in
    if !r.success || depth > 8 then
      null
    else if t == "lambda" || t == "primop" || isFunction x || (t == "set" && x ? __functor) then
      # A function, or a set that is called like one: what types.functionTo
      # merges to in nixpkgs' lib.
      null
    else if t == "path" then
      toString x
    else if t == "set" then
      (
        if (x.type or null) == "derivation" then
          (if named.success && isString named.value then named.value else null)
        else
          mapAttrs (_: jsonSafe (depth + 1)) (removeAttrs x [ "_module" ])
      )
    else if t == "list" then
      map (jsonSafe (depth + 1)) x
    else
      x;

  valueAt =
    loc:
    let
      raw = tryEval (walk (tail loc) final.config.homeBase);
      safe = jsonSafe 0 raw.value;
      forced = tryEval (builtins.deepSeq safe safe);
      defined = tryEval (walk (tail loc) homeBase).isDefined;
      files = tryEval (walk (tail loc) homeBase).files;
      onlyPlaceholder =
        isPlaceholder loc && (!files.success || all (f: f == placeholderFile) files.value);
    in
    if raw.success && forced.success && (!defined.success || defined.value) && !onlyPlaceholder then
      {
        has = true;
        value = forced.value;
      }
    else
      {
        has = false;
        value = null;
      };

  text =
    d:
    if isString d then
      d
    else if isAttrs d && d ? text then
      d.text
    else
      "";

  position = p: {
    file = toString (p.file or "");
    line = p.line or 0;
    column = p.column or 0;
  };

  option =
    doc:
    let
      opt = walk (tail doc.loc) homeBase;
      default = valueAt doc.loc;
    in
    {
      inherit (doc) loc;
      description = text doc.description;
      type = doc.type;
      visible = doc.visible;
      internal = doc.internal;
      readOnly = doc.readOnly;
      typeInfo = describe 0 opt.type;
      positions = map position (opt.declarationPositions or [ ]);
      hasDefault = default.has;
      default = default.value;
    };

  # optionAttrSetToDocList also lists the options inside submodules
  # (homeBase.servers.*.host); only options of the homeBase tree itself are
  # questions.
  docs = filter (d: length d.loc > 1 && isOption (walk (tail d.loc) homeBase)) (
    lib.optionAttrSetToDocList homeBase
  );
in
if module == null then
  {
    status = "no-module";
    found = found.path;
    available = if isAttrs found.set then attrNames found.set else [ ];
  }
else if homeBase == null then
  {
    status = "no-homeBase";
    inherit declaresPlatform;
  }
else if isOption homeBase then
  {
    status = "homeBase-not-a-set";
    type = homeBase.type.description or "unspecified";
  }
else
  {
    status = "ok";
    version = 5;
    inherit declaresPlatform;
    options = map option docs;
  }
