{ ... }: { homeBase.enableTmux = "yes"; }
