namespace Stuff.Data
{
    /// <summary>
    /// A migration whose Down would destroy data that cannot be brought back by migrating up
    /// again. `stuff migrate --to` (and so `stuff rollback`) refuses to revert it; restoring the
    /// backup taken before it is the way back.
    /// </summary>
    [AttributeUsage(AttributeTargets.Class, Inherited = false)]
    public sealed class IrreversibleAttribute(string reason) : Attribute
    {
        public string Reason { get; } = reason;
    }
}

// The first migration's Down drops every table.
namespace Stuff.Data.Migrations.Postgres
{
    [Irreversible("it would drop every table and all their rows")]
    public partial class Initial;
}

namespace Stuff.Data.Migrations.Sqlite
{
    [Irreversible("it would drop every table and all their rows")]
    public partial class Initial;
}
