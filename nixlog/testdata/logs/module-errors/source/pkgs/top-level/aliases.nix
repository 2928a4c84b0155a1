{
  wslu = throw "'wslu' has been removed because the project has been discontinued"; # Added 2026-04-08
}
