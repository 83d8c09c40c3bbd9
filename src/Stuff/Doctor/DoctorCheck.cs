namespace Stuff.Doctor;

/// <summary>
/// One thing the doctor looks at. It only reads: files, command output, connections. It never
/// changes the system; the fix it prints is for a person to run.
/// </summary>
public abstract class DoctorCheck
{
    public abstract Task<IReadOnlyList<Finding>> RunAsync(DoctorContext context, CancellationToken cancellationToken);
}
