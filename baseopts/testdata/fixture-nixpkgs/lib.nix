# FIXTURE: a small stand-in for nixpkgs' lib, for nixboard's tests. It is NOT
# nixpkgs' lib. It has just enough of the module system to evaluate a base
# layer's option declarations offline: mkOption, mkDefault, mkForce, mkIf,
# mkMerge, mkOverride priorities, evalModules with imports, options and
# config, the types nixboard maps to questions, and optionAttrSetToDocList.
# The attributes a reader of types looks at (name, description,
# descriptionClass, functor.payload, nestedTypes, getSubOptions) and of
# options (loc, declarations, declarationPositions, visible, internal,
# readOnly) have the same shape as in nixpkgs' lib/types.nix, lib/options.nix
# and lib/modules.nix (checked against nixpkgs master of June 2026), so
# baseopts' expression reads both the same way. Merging is simplified: one
# declaration per option, no freeform types, no disabledModules, no
# _module.args; of _module only check = false is understood.
let
  inherit (builtins)
    all
    attrNames
    attrValues
    concatMap
    concatStringsSep
    filter
    foldl'
    head
    isAttrs
    isBool
    isFunction
    isInt
    isList
    isString
    length
    listToAttrs
    map
    mapAttrs
    tail
    toJSON
    unsafeGetAttrPos
    ;

  showOption = concatStringsSep ".";
  isOption = x: isAttrs x && x ? _type && x._type == "option";
  isDerivation = x: isAttrs x && x ? type && x.type == "derivation";
  optional = c: x: if c then [ x ] else [ ];
  optionals = c: xs: if c then xs else [ ];
  uniq = foldl' (acc: x: if builtins.elem x acc then acc else acc ++ [ x ]) [ ];
  collect =
    pred: attrs:
    if pred attrs then
      [ attrs ]
    else if isAttrs attrs then
      concatMap (collect pred) (attrValues attrs)
    else
      [ ];

  mkOption = attrs: attrs // { _type = "option"; };
  mkOverride = priority: content: {
    _type = "override";
    inherit priority content;
  };
  mkOptionDefault = mkOverride 1500;
  mkDefault = mkOverride 1000;
  mkForce = mkOverride 50;
  mkIf = condition: content: {
    _type = "if";
    inherit condition content;
  };
  mkMerge = contents: {
    _type = "merge";
    inherit contents;
  };

  # Splits a module's config into attribute sets whose names are known
  # without evaluating any mkIf condition, as lib/modules.nix's
  # pushDownProperties does: a condition may read config itself.
  pushDown =
    v:
    if isAttrs v && v ? _type then
      if v._type == "merge" then
        concatMap pushDown v.contents
      else if v._type == "if" then
        map (mapAttrs (_: mkIf v.condition)) (pushDown v.content)
      else if v._type == "override" then
        map (mapAttrs (_: mkOverride v.priority)) (pushDown v.content)
      else
        [ v ]
    else
      [ v ];

  # The definitions (priority, value) a value holds once its mkIf, mkMerge
  # and mkOverride wrappers are resolved.
  discharge =
    priority: v:
    if isAttrs v && v ? _type then
      if v._type == "merge" then
        concatMap (discharge priority) v.contents
      else if v._type == "if" then
        (if v.condition then discharge priority v.content else [ ])
      else if v._type == "override" then
        discharge v.priority v.content
      else
        [ { inherit priority; value = v; } ]
    else
      [ { inherit priority; value = v; } ];

  # The definitions of the option at loc in one module's config.
  defsAt =
    loc: v:
    if loc == [ ] then
      discharge 100 v
    else
      concatMap (
        s: if isAttrs s && s ? ${head loc} then defsAt (tail loc) s.${head loc} else [ ]
      ) (pushDown v);

  # The definitions with the highest priority (the lowest number) win.
  highest =
    defs:
    let
      best = foldl' (p: d: if d.priority < p then d.priority else p) 9999 defs;
    in
    filter (d: d.priority == best) defs;

  mergeEqualOption =
    loc: defs:
    if all (d: d.value == (head defs).value) defs then
      (head defs).value
    else
      throw "The option `${showOption loc}' has conflicting definition values (FIXTURE lib).";
  mergeOneOption =
    loc: defs:
    if length defs == 1 then
      (head defs).value
    else
      throw "The unique option `${showOption loc}' is defined multiple times (FIXTURE lib).";
  mergeAnything =
    loc: defs:
    let
      values = map (d: d.value) defs;
    in
    if all isList values then
      concatMap (x: x) values
    else if all isAttrs values then
      foldl' (a: b: a // b) { } values
    else
      mergeEqualOption loc defs;

  optionDescriptionPhrase =
    unparenthesize: t:
    if unparenthesize (t.descriptionClass or null) then t.description else "(${t.description})";

  defaultFunctor = name: {
    inherit name;
    type = types.${name} or null;
    wrapped = null;
    payload = null;
    binOp = a: b: null;
  };
  elemTypeFunctor = name: payload: {
    inherit name payload;
    wrapped = payload.elemType;
    type = null;
    binOp = a: b: null;
  };

  mkOptionType =
    {
      name,
      description ? null,
      descriptionClass ? null,
      check ? (_: true),
      merge ? mergeAnything,
      emptyValue ? { },
      getSubOptions ? (_: { }),
      getSubModules ? null,
      functor ? defaultFunctor name,
      nestedTypes ? { },
    }:
    {
      _type = "option-type";
      inherit
        name
        descriptionClass
        check
        merge
        emptyValue
        getSubOptions
        getSubModules
        functor
        nestedTypes
        ;
      description = if description == null then name else description;
    };

  addCheck = t: c: t // { check = x: t.check x && c x; };

  ints =
    let
      betweenDesc = lowest: highest: "${toString lowest} and ${toString highest} (both inclusive)";
      between =
        lowest: highest:
        addCheck types.int (x: x >= lowest && x <= highest)
        // {
          name = "intBetween";
          description = "integer between ${betweenDesc lowest highest}";
        };
      ign =
        lowest: highest: name: docStart:
        between lowest highest
        // {
          inherit name;
          description = docStart + "; between ${betweenDesc lowest highest}";
        };
      unsign =
        bit: range: ign 0 (range - 1) "unsignedInt${toString bit}" "${toString bit} bit unsigned integer";
      sign =
        bit: range:
        ign (0 - (range / 2)) (range / 2 - 1) "signedInt${toString bit}" "${toString bit} bit signed integer";
    in
    {
      inherit between;
      unsigned = addCheck types.int (x: x >= 0) // {
        name = "unsignedInt";
        description = "unsigned integer, meaning >=0";
        descriptionClass = "nonRestrictiveClause";
      };
      positive = addCheck types.int (x: x > 0) // {
        name = "positiveInt";
        description = "positive integer, meaning >0";
        descriptionClass = "nonRestrictiveClause";
      };
      u8 = unsign 8 256;
      u16 = unsign 16 65536;
      u32 = unsign 32 4294967296;
      s8 = sign 8 256;
      s16 = sign 16 65536;
      s32 = sign 32 4294967296;
    };

  types = {
    inherit ints;
    port = ints.u16;
    unspecified = mkOptionType {
      name = "unspecified";
      description = "unspecified value";
      descriptionClass = "noun";
    };
    raw = mkOptionType {
      name = "raw";
      description = "raw value";
      descriptionClass = "noun";
      merge = mergeOneOption;
    };
    anything = mkOptionType {
      name = "anything";
      description = "anything";
      descriptionClass = "noun";
    };
    bool = mkOptionType {
      name = "bool";
      description = "boolean";
      descriptionClass = "noun";
      check = isBool;
      merge = mergeEqualOption;
    };
    int = mkOptionType {
      name = "int";
      description = "signed integer";
      descriptionClass = "noun";
      check = isInt;
      merge = mergeEqualOption;
    };
    str = mkOptionType {
      name = "str";
      description = "string";
      descriptionClass = "noun";
      check = isString;
      merge = mergeEqualOption;
    };
    nonEmptyStr = mkOptionType {
      name = "nonEmptyStr";
      description = "non-empty string";
      descriptionClass = "noun";
      check = x: isString x && builtins.match "[ \t\n]*" x == null;
      merge = mergeEqualOption;
    };
    strMatching =
      pattern:
      mkOptionType {
        name = "strMatching ${toJSON pattern}";
        description = "string matching the pattern ${pattern}";
        descriptionClass = "noun";
        check = x: isString x && builtins.match pattern x != null;
        merge = mergeEqualOption;
        functor = defaultFunctor "strMatching" // {
          type = payload: types.strMatching payload.pattern;
          payload = { inherit pattern; };
        };
      };
    package = mkOptionType {
      name = "package";
      descriptionClass = "noun";
      check = isDerivation;
      merge = mergeOneOption;
    };
    enum =
      values:
      let
        show = v: if isString v then ''"${v}"'' else if isInt v then toString v else "<${builtins.typeOf v}>";
      in
      mkOptionType {
        name = "enum";
        description = "one of ${concatStringsSep ", " (map show values)}";
        descriptionClass = if length values < 2 then "noun" else "conjunction";
        check = x: builtins.elem x values;
        merge = mergeEqualOption;
        functor = (defaultFunctor "enum") // {
          payload = { inherit values; };
          type = payload: types.enum payload.values;
        };
      };
    listOf =
      elemType:
      mkOptionType {
        name = "listOf";
        description = "list of ${
          optionDescriptionPhrase (class: class == "noun" || class == "composite") elemType
        }";
        descriptionClass = "composite";
        check = isList;
        merge =
          loc: defs:
          concatMap (
            d:
            map (
              x:
              if elemType.check x then
                x
              else
                throw "A definition for option `${showOption loc}' has an element that is not of type `${elemType.description}' (FIXTURE lib)."
            ) d.value
          ) defs;
        emptyValue = {
          value = [ ];
        };
        getSubOptions = prefix: elemType.getSubOptions (prefix ++ [ "*" ]);
        getSubModules = elemType.getSubModules;
        functor = elemTypeFunctor "listOf" { inherit elemType; };
        nestedTypes.elemType = elemType;
      };
    attrsOf =
      elemType:
      mkOptionType {
        name = "attrsOf";
        description = "attribute set of ${
          optionDescriptionPhrase (class: class == "noun" || class == "composite") elemType
        }";
        descriptionClass = "composite";
        check = isAttrs;
        merge =
          loc: defs:
          let
            names = uniq (concatMap (d: attrNames d.value) defs);
            defsOf =
              n:
              highest (
                concatMap (d: if d.value ? ${n} then discharge 100 d.value.${n} else [ ]) defs
              );
            valid = filter (n: defsOf n != [ ]) names;
          in
          listToAttrs (
            map (n: {
              name = n;
              value = elemType.merge (loc ++ [ n ]) (defsOf n);
            }) valid
          );
        emptyValue = {
          value = { };
        };
        getSubOptions = prefix: elemType.getSubOptions (prefix ++ [ "<name>" ]);
        getSubModules = elemType.getSubModules;
        functor = elemTypeFunctor "attrsWith" {
          inherit elemType;
          lazy = false;
          placeholder = "name";
        };
        nestedTypes.elemType = elemType;
      };
    nullOr =
      elemType:
      mkOptionType {
        name = "nullOr";
        description = "null or ${
          optionDescriptionPhrase (class: class == "noun" || class == "conjunction") elemType
        }";
        descriptionClass = "conjunction";
        check = x: x == null || elemType.check x;
        merge =
          loc: defs:
          let
            nulls = filter (d: d.value == null) defs;
          in
          if length nulls == length defs then
            null
          else if nulls != [ ] then
            throw "The option `${showOption loc}' is defined both null and not null (FIXTURE lib)."
          else
            elemType.merge loc defs;
        emptyValue = {
          value = null;
        };
        getSubOptions = elemType.getSubOptions;
        getSubModules = elemType.getSubModules;
        functor = elemTypeFunctor "nullOr" { inherit elemType; };
        nestedTypes.elemType = elemType;
      };
    functionTo =
      elemType:
      mkOptionType {
        name = "functionTo";
        description = "function that evaluates to a(n) ${
          optionDescriptionPhrase (class: class == "noun" || class == "composite") elemType
        }";
        descriptionClass = "composite";
        check = isFunction;
        merge =
          loc: defs: args:
          elemType.merge loc (map (d: d // { value = d.value args; }) defs);
        functor = elemTypeFunctor "functionTo" { inherit elemType; };
        nestedTypes.elemType = elemType;
      };
    submodule =
      module:
      mkOptionType {
        name = "submodule";
        # No descriptionClass, as in nixpkgs: "list of (submodule)".
        description = "submodule";
        check = x: isAttrs x || isFunction x;
        merge =
          loc: defs:
          (evalModules {
            modules = [ module ] ++ map (d: { config = d.value; }) defs;
            prefix = loc;
          }).config;
        getSubOptions =
          prefix:
          (evalModules {
            modules = [ module ];
            inherit prefix;
          }).options;
        getSubModules = [ module ];
        functor = defaultFunctor "submodule" // {
          payload = {
            modules = [ module ];
          };
        };
      };
  };

  evalModules =
    {
      modules,
      specialArgs ? { },
      prefix ? [ ],
    }:
    let
      args = {
        inherit lib config options;
      }
      // specialArgs;

      # Every module with its imports, each as { file; options; config; }.
      load =
        file: m:
        let
          isFile = builtins.isPath m || isString m;
          file' = if isFile then toString m else file;
          m' = if isFile then import m else m;
          v = if isFunction m' then m' args else m';
          structured = v ? options || v ? config || v ? imports;
        in
        [
          {
            file = v._file or file';
            options = v.options or { };
            config = if structured then v.config or { } else removeAttrs v [ "_file" ];
          }
        ]
        ++ concatMap (load file') (v.imports or [ ]);
      loaded = concatMap (load "<unknown-file>") modules;

      # The option tree: declarations merged by name; an option's value is
      # its highest-priority definitions merged by its type, its default
      # counting as mkOptionDefault.
      declare =
        loc: decls:
        let
          names = uniq (concatMap (d: attrNames d.tree) decls);
          at =
            n:
            concatMap (
              d:
              optional (d.tree ? ${n}) {
                inherit (d) file;
                tree = d.tree.${n};
                pos = unsafeGetAttrPos n d.tree;
              }
            ) decls;
          one =
            n:
            let
              here = at n;
              opts = filter (d: isOption d.tree) here;
            in
            if opts == [ ] then
              declare (loc ++ [ n ]) here
            else if length opts > 1 then
              throw "The option `${showOption (loc ++ [ n ])}' is declared more than once; the FIXTURE lib does not merge declarations."
            else
              optionValue (loc ++ [ n ]) (head opts);
        in
        listToAttrs (
          map (n: {
            name = n;
            value = one n;
          }) names
        );

      optionValue =
        loc: decl:
        let
          opt = decl.tree;
          type = opt.type or types.unspecified;
          defs =
            concatMap (m: map (d: d // { inherit (m) file; }) (defsAt (prefix' loc) m.config)) loaded
            ++ optional (opt ? default) {
              file = decl.file;
              priority = 1500;
              value = opt.default;
            };
          chosen = map (
            d:
            if type.check d.value then
              d
            else
              throw "A definition for option `${showOption loc}' is not of type `${type.description}' (FIXTURE lib)."
          ) (highest defs);
          merged =
            if chosen == [ ] then
              throw "The option `${showOption loc}' is used but not defined (FIXTURE lib)."
            else
              type.merge loc chosen;
        in
        opt
        // {
          inherit loc type;
          value = if opt ? apply then opt.apply merged else merged;
          isDefined = chosen != [ ];
          definitions = map (d: d.value) chosen;
          files = map (d: d.file) chosen;
          declarations = [ decl.file ];
          declarationPositions = [
            (
              if decl.pos != null then
                decl.pos
              else
                {
                  file = decl.file;
                  line = null;
                  column = null;
                }
            )
          ];
        };

      # Definitions are looked up in module configs by the location below
      # prefix (a submodule's config is relative to it).
      prefix' = loc: builtins.genList (i: builtins.elemAt loc (i + length prefix)) (
        length loc - length prefix
      );

      options = declare prefix (
        map (m: {
          inherit (m) file;
          tree = m.options;
        }) loaded
      );

      configOf = tree: mapAttrs (_: v: if isOption v then v.value else configOf v) tree;
      config = configOf options;

      # Definitions of options nobody declared are errors, as in the real
      # module system.
      unmatched =
        loc: tree: v:
        concatMap (
          s:
          if !isAttrs s then
            [ ]
          else
            concatMap (
              n:
              if n == "_module" then
                [ ]
              else if !(tree ? ${n}) then
                [ (showOption (loc ++ [ n ])) ]
              else if isOption tree.${n} then
                [ ]
              else
                unmatched (loc ++ [ n ]) tree.${n} s.${n}
            ) (attrNames s)
        ) (pushDown v);
      # _module.check = false (as home-manager's documentation sets it)
      # turns the check off.
      checkOff = builtins.any (
        m:
        builtins.any (d: d.value == false) (
          concatMap (s: if isAttrs s && s ? _module then defsAt [ "check" ] s._module else [ ]) (pushDown m.config)
        )
      ) loaded;
      bad =
        if checkOff then
          [ ]
        else
          concatMap (m: map (l: { inherit l; inherit (m) file; }) (unmatched prefix options m.config)) loaded;
      checked =
        x:
        if bad == [ ] then
          x
        else
          throw "The option `${(head bad).l}' does not exist. Definition values: in `${(head bad).file}' (FIXTURE lib).";
    in
    {
      _type = "configuration";
      options = checked options;
      config = checked config;
    };

  optionAttrSetToDocList = optionAttrSetToDocList' [ ];
  optionAttrSetToDocList' =
    _: options:
    concatMap (
      opt:
      let
        name = showOption opt.loc;
        visible = opt.visible or true;
        docOption = {
          loc = opt.loc;
          inherit name;
          description = opt.description or null;
          declarations = opt.declarations;
          internal = opt.internal or false;
          visible = if isBool visible then visible else visible == "shallow";
          readOnly = opt.readOnly or false;
          type = opt.type.description or "unspecified";
        };
        subOptions =
          let
            ss = opt.type.getSubOptions opt.loc;
          in
          if ss != { } then optionAttrSetToDocList' opt.loc ss else [ ];
        subOptionsVisible = if isBool visible then visible else visible == "transparent";
      in
      [ docOption ] ++ optionals subOptionsVisible subOptions
    ) (collect isOption options);

  lib = {
    inherit
      mkOption
      mkOverride
      mkOptionDefault
      mkDefault
      mkForce
      mkIf
      mkMerge
      mkOptionType
      types
      evalModules
      optionAttrSetToDocList
      showOption
      isOption
      isDerivation
      optional
      optionals
      collect
      ;
    boolToString = b: if b then "true" else "false";
    optionalString = c: s: if c then s else "";
    optionalAttrs = c: s: if c then s else { };
    options = {
      inherit mkOption optionAttrSetToDocList showOption isOption;
    };
    modules = {
      inherit evalModules mkIf mkMerge mkOverride mkDefault mkForce;
    };
  };
in
lib
