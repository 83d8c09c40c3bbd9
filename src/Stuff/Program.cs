using Stuff.Cli;

// `stuff` is the site and its management commands; see Cli/ for each command.
return await StuffCommandLine.RunAsync(args);
