namespace Stuff.Server;

/// <summary>The two distribution families setup knows: their package names, paths and service names differ.</summary>
public enum Family { Debian, Fedora }
