-- The runtime version of this scenario. A save keeps the version it was created with in
-- storage.runtime_version; when that differs from this string the save predates the current
-- scenario files (Factorio runs the script stored inside the save, not the one on disk).
return "open_world-runtime-1.0.0"
