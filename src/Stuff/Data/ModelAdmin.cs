using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Stuff.Data;

/// <summary>
/// A model declared to the admin, as Django's ModelAdmin: what its list shows, searches, filters
/// and sorts by, and which fields its forms edit. The generic admin pages (Pages/Admin/Models),
/// the permission catalogue, the history and dumpdata/loaddata all work from this; see
/// <see cref="ModelAdmin{T}"/> for declaring one and docs/adding-a-model.md.
/// </summary>
public abstract class ModelAdmin
{
    /// <summary>Value filters offer at most this many values; a column with more is a search, not a filter.</summary>
    public const int MaxChoices = 30;

    /// <param name="name">One object, in lower case ("book"): the permissions' prefix (book.view) and the history's object type.</param>
    /// <param name="plural">Several of them ("books"): the admin's address (/admin/books), its heading and the dump's key.</param>
    protected ModelAdmin(string name, string plural)
    {
        // The names are written into addresses, permission values and the history's object type column.
        foreach (var word in new[] { name, plural })
        {
            if (word.Length is 0 || word.Length > LogEntry.ObjectTypeMaxLength || !word.All(c => c is (>= 'a' and <= 'z') or '_'))
                throw new ArgumentException($"A model's names are 1 to {LogEntry.ObjectTypeMaxLength} lower-case letters or '_'; \"{word}\" is not.");
        }
        Name = name;
        Plural = plural;
    }

    public string Name { get; }
    public string Plural { get; }

    /// <summary>The list's heading: "Books".</summary>
    public string Label => char.ToUpperInvariant(Plural[0]) + Plural[1..];

    /// <summary>"1 book", "3 books".</summary>
    public string Count(int count) => $"{count} {(count == 1 ? Name : Plural)}";

    public string ConflictHeading => $"This {Name} was changed by someone else since you opened it.";

    public abstract Type EntityType { get; }

    /// <summary>The fields as the database model has them (built once, on first use).</summary>
    public abstract ModelFields Fields(AppDbContext db);

    /// <summary>The object's name in lists, messages and the history.</summary>
    public abstract string Describe(object entity);

    public string Id(AppDbContext db, object entity) => Fields(db).Key.Text(Fields(db).Key.Get(entity));

    public abstract object New();

    /// <summary>The object with this id (as the address has it), or null when there is none or the id is not one.</summary>
    public abstract Task<object?> FindAsync(AppDbContext db, string id, bool tracked, CancellationToken cancellationToken);

    /// <summary>The objects with these ids that exist, by id; ids that are not ids are left out.</summary>
    public abstract Task<List<object>> FindManyAsync(AppDbContext db, IEnumerable<string> ids, bool tracked, CancellationToken cancellationToken);

    /// <summary>One page of the list as the request searches, filters and sorts it.</summary>
    public abstract Task<ListPage<object>> ListAsync(AppDbContext db, ListRequest request, CancellationToken cancellationToken);

    /// <summary>Every row of the list as the request has it, read as they come (the CSV export).</summary>
    public abstract IAsyncEnumerable<object> Stream(AppDbContext db, ListRequest request);

    /// <summary>Every row, by id (dumpdata).</summary>
    public abstract IAsyncEnumerable<object> All(AppDbContext db);

    /// <summary>The values a value filter offers: the column's distinct values in order, up to one more than <see cref="MaxChoices"/> (so the page can tell there are more).</summary>
    public abstract Task<IReadOnlyList<object?>> ValuesAsync(AppDbContext db, ModelField field, CancellationToken cancellationToken);

    /// <summary>How many rows were added or changed after that time; null for a model without time stamps (<see cref="ITimestamped"/>).</summary>
    public abstract Task<int?> CountChangedSinceAsync(AppDbContext db, DateTime since, CancellationToken cancellationToken);

    /// <summary>Moves PostgreSQL's id sequence past the largest id after rows were written with their own ids (loaddata).</summary>
    public async Task CatchUpIdsAsync(AppDbContext db, CancellationToken cancellationToken)
    {
        if (!db.Database.IsNpgsql()) return;
        var entity = db.Model.FindEntityType(EntityType)!;
        var key = Fields(db).Key;
        if (key.Input != FieldInput.Integer) return;
        var table = entity.GetTableName()!;
        // Names from the model, not from input; quoted as identifiers.
#pragma warning disable EF1002
        await db.Database.ExecuteSqlRawAsync(
            $"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{key.Key}'), GREATEST((SELECT MAX(\"{key.Key}\") FROM \"{table}\"), 1))", cancellationToken);
#pragma warning restore EF1002
    }

    /// <summary>
    /// Reads ?q= (search), ?o= (sort: a listed column's name, "-" first for descending; anything
    /// else is the default order), ?p= (page) and the filters' parameters. A parameter that is no
    /// filter of this list, or a filter value that is not a value of its field, is an error.
    /// </summary>
    public ListRequest Read(AppDbContext db, IEnumerable<KeyValuePair<string, string?>> query, DateOnly today)
    {
        var fields = Fields(db);
        var request = new ListRequest { Today = today };
        foreach (var (name, value) in query)
        {
            switch (name)
            {
                case "q":
                    request.Search = string.IsNullOrWhiteSpace(value) ? null : value.Trim();
                    continue;
                case "o":
                    request.Sort = value ?? "";
                    continue;
                case "p":
                    request.Page = int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var page) ? page : null;
                    continue;
                case "handler":
                    continue;
            }
            var (key, end) = name.EndsWith(".from", StringComparison.Ordinal) ? (name[..^5], "from")
                : name.EndsWith(".to", StringComparison.Ordinal) ? (name[..^3], "to") : (name, null);
            var filter = fields.Filters.FirstOrDefault(f => f.Field.Key == key && (f.Kind == FilterKind.DateRange) == (end is not null));
            if (filter is null)
            {
                request.Error = $"This list has no filter named “{name}”.";
                continue;
            }
            if (string.IsNullOrEmpty(value)) continue;
            if (filter.Kind == FilterKind.DateRange)
            {
                if (!DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
                {
                    request.Error = $"{filter.Field.Label}: “{value}” is not a date (YYYY-MM-DD).";
                    continue;
                }
                var range = request.Ranges.GetValueOrDefault(filter.Field);
                request.Ranges[filter.Field] = end == "from" ? range with { From = day } : range with { To = day };
            }
            else
            {
                var parsed = filter.Kind == FilterKind.Boolean ? value switch { "yes" => true, "no" => false, _ => null } : filter.Field.Read(value);
                if (parsed is null)
                {
                    request.Error = $"{filter.Field.Label}: “{value}” is not one of its values.";
                    continue;
                }
                request.Equal[filter.Field] = parsed;
            }
        }
        return request;
    }
}

/// <summary>The fields of a registered model, and the admin's choices among them.</summary>
public sealed class ModelFields
{
    /// <summary>Every column but the version, in the order the class declares them: CSV and dumpdata.</summary>
    public required IReadOnlyList<ModelField> All { get; init; }
    public required ModelField Key { get; init; }

    /// <summary>The list's columns; the first links to the change page.</summary>
    public required IReadOnlyList<ModelField> List { get; init; }
    public required IReadOnlyList<ModelField> Search { get; init; }
    public required IReadOnlyList<ListFilter> Filters { get; init; }

    /// <summary>What the add and change forms edit.</summary>
    public required IReadOnlyList<ModelField> Form { get; init; }

    /// <summary>"title and author", for the search box's label.</summary>
    public string SearchLabel => Search.Count switch
    {
        0 => "",
        1 => Search[0].Label.ToLowerInvariant(),
        _ => string.Join(", ", Search.SkipLast(1).Select(f => f.Label.ToLowerInvariant())) + " and " + Search[^1].Label.ToLowerInvariant(),
    };
}

public enum FilterKind
{
    /// <summary>One of the column's values (or an enum's names).</summary>
    Values,

    /// <summary>Yes or no.</summary>
    Boolean,

    /// <summary>From one day to another (?updated_at.from=2026-12-01&amp;updated_at.to=2026-12-31, both included).</summary>
    DateRange,
}

/// <summary>One filter of a list, by the kind of its field.</summary>
public sealed class ListFilter(ModelField field)
{
    public ModelField Field { get; } = field;

    public FilterKind Kind { get; } = field.Input switch
    {
        FieldInput.Checkbox => FilterKind.Boolean,
        FieldInput.Date or FieldInput.DateTime => FilterKind.DateRange,
        _ => FilterKind.Values,
    };
}

/// <summary>A list as the address asks for it.</summary>
public sealed class ListRequest
{
    public string? Search { get; set; }

    /// <summary>"-updated_at" as the address has it; a column the list does not show means the default order.</summary>
    public string Sort { get; set; } = "";
    public int? Page { get; set; }
    public Dictionary<ModelField, object> Equal { get; } = [];
    public Dictionary<ModelField, (DateOnly? From, DateOnly? To)> Ranges { get; } = [];

    /// <summary>The site's today (UTC), for the date filters' "today", "past 7 days" and so on.</summary>
    public DateOnly Today { get; init; }

    /// <summary>What was wrong with the address; the list is not shown.</summary>
    public string? Error { get; set; }

    public bool HasFilters => Equal.Count > 0 || Ranges.Count > 0;

    public bool Filtered => Search is not null || HasFilters;
}

/// <summary>
/// Declares an entity to the admin. Everything is optional but the names: by default the list
/// shows the first three form fields, searches the text ones among them, has no filters, is
/// newest first, and the forms edit every column but the key, the version and the time stamps.
/// Labels, hints and rules come from the entity's data annotations and its EF Core configuration.
/// </summary>
public sealed class ModelAdmin<T>(string name, string plural) : ModelAdmin(name, plural) where T : class, IVersioned, new()
{
    private ModelFields? _fields;
    private Func<T, string>? _describe;

    /// <summary>The object's name (a book's title); by default its ToString().</summary>
    public Expression<Func<T, string>>? Describes { get; init; }

    /// <summary>The list's columns (list_display).</summary>
    public IReadOnlyList<Expression<Func<T, object?>>> List { get; init; } = [];

    /// <summary>The text columns the search box looks in (search_fields), ignoring case.</summary>
    public IReadOnlyList<Expression<Func<T, object?>>> Search { get; init; } = [];

    /// <summary>The columns the list can be narrowed by (list_filter): booleans, dates and columns with a few values.</summary>
    public IReadOnlyList<Expression<Func<T, object?>>> Filters { get; init; } = [];

    /// <summary>The columns the forms edit (fields).</summary>
    public IReadOnlyList<Expression<Func<T, object?>>> Form { get; init; } = [];

    public override Type EntityType => typeof(T);

    public override string Describe(object entity) =>
        (_describe ??= Describes?.Compile() ?? (e => e.ToString() ?? typeof(T).Name))((T)entity);

    public override object New() => new T();

    public override ModelFields Fields(AppDbContext db) => _fields ??= Build(db.Model);

    private ModelFields Build(IModel model)
    {
        var entity = model.FindEntityType(typeof(T))
            ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the database model: give it an IEntityTypeConfiguration<{typeof(T).Name}> in this project.");
        var key = entity.FindPrimaryKey()?.Properties is [var single] ? single.Name
            : throw new InvalidOperationException($"{typeof(T).Name} needs a primary key of one column for the admin.");
        var all = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.Name != nameof(IVersioned.Version) && entity.FindProperty(p.Name) is { } column && !column.IsShadowProperty())
            .Select(p => new ModelField(p, entity.FindProperty(p.Name)!))
            .ToList();
        ModelField Field(Expression<Func<T, object?>> selector)
        {
            var member = (selector.Body is UnaryExpression { NodeType: ExpressionType.Convert } convert ? convert.Operand : selector.Body) as MemberExpression;
            return all.FirstOrDefault(f => f.Name == member?.Member.Name)
                ?? throw new InvalidOperationException($"{typeof(T).Name}: {selector} is not one of its columns.");
        }
        var form = Form.Count > 0 ? Form.Select(Field).ToList() : all.Where(f => f.Name != key && !f.IsTimestamp).ToList();
        var list = List.Count > 0 ? List.Select(Field).ToList() : form.Take(3).ToList();
        var search = Search.Count > 0 ? Search.Select(Field).ToList() : list.Where(f => f.Type == typeof(string)).ToList();
        if (search.FirstOrDefault(f => f.Type != typeof(string)) is { } notText)
            throw new InvalidOperationException($"{typeof(T).Name}.{notText.Name}: only text columns can be searched.");
        return new ModelFields
        {
            All = all,
            Key = all.Single(f => f.Name == key),
            List = list,
            Search = search,
            Filters = [.. Filters.Select(Field).Select(f => new ListFilter(f))],
            Form = form,
        };
    }

    public override async Task<object?> FindAsync(AppDbContext db, string id, bool tracked, CancellationToken cancellationToken)
    {
        var key = Fields(db).Key;
        if (key.Read(id) is not { } value || key.Text(value) != id) return null;
        var query = tracked ? db.Set<T>() : db.Set<T>().AsNoTracking();
        return await query.FirstOrDefaultAsync(Where(key, ExpressionType.Equal, value), cancellationToken);
    }

    public override async Task<List<object>> FindManyAsync(AppDbContext db, IEnumerable<string> ids, bool tracked, CancellationToken cancellationToken)
    {
        var key = Fields(db).Key;
        var values = ids.Select(id => key.Read(id) is { } value && key.Text(value) == id ? value : null).OfType<object>().Distinct().ToList();
        if (values.Count == 0) return [];
        var query = tracked ? db.Set<T>() : db.Set<T>().AsNoTracking();
        var found = await Typed.Call<IQueryable<T>>(nameof(Typed.WhereIn), key.Property.PropertyType, query, key.Property, values).ToListAsync(cancellationToken);
        return [.. found.OrderBy(key.Get)];
    }

    public override async Task<ListPage<object>> ListAsync(AppDbContext db, ListRequest request, CancellationToken cancellationToken)
    {
        var rows = await Paging.ToListPageAsync(Query(db, request), request.Page, Plural, cancellationToken);
        return new ListPage<object> { Items = [.. rows.Items], Number = rows.Number, Total = rows.Total, Noun = rows.Noun };
    }

    public override IAsyncEnumerable<object> Stream(AppDbContext db, ListRequest request) => Query(db, request).AsAsyncEnumerable();

    public override IAsyncEnumerable<object> All(AppDbContext db) => Order(db.Set<T>().AsNoTracking(), Fields(db).Key, descending: false).AsAsyncEnumerable();

    public override async Task<int?> CountChangedSinceAsync(AppDbContext db, DateTime since, CancellationToken cancellationToken)
    {
        if (Fields(db).All.FirstOrDefault(f => f.IsTimestamp && f.Property.Name == nameof(ITimestamped.UpdatedAt)) is not { } updated) return null;
        return await db.Set<T>().CountAsync(Where(updated, ExpressionType.GreaterThan, since), cancellationToken);
    }

    public override async Task<IReadOnlyList<object?>> ValuesAsync(AppDbContext db, ModelField field, CancellationToken cancellationToken)
    {
        if (field.Type.IsEnum) return [.. Enum.GetValues(field.Type).Cast<object?>()];
        return await Typed.Call<Task<List<object?>>>(nameof(Typed.DistinctAsync), field.Property.PropertyType,
            db.Set<T>().AsNoTracking(), field.Property, MaxChoices + 1, cancellationToken);
    }

    /// <summary>The rows the request asks for, in its order; ties broken by the key so that no row is on two pages or none.</summary>
    private IOrderedQueryable<T> Query(AppDbContext db, ListRequest request)
    {
        var fields = Fields(db);
        var query = db.Set<T>().AsNoTracking();
        if (request.Search is { } search && fields.Search.Count > 0)
            query = query.Where(Matches(fields.Search, LikePattern.Contains(search)));
        foreach (var (field, value) in request.Equal) query = query.Where(Where(field, ExpressionType.Equal, value));
        foreach (var (field, (from, to)) in request.Ranges)
        {
            if (from is { } start) query = query.Where(Where(field, ExpressionType.GreaterThanOrEqual, Day(field, start)));
            if (to is { } end) query = query.Where(Where(field, ExpressionType.LessThan, Day(field, end.AddDays(1))));
        }

        var column = fields.List.FirstOrDefault(f => f.Key == request.Sort.TrimStart('-'));
        if (column is null) return ThenBy(Order(query, fields.Key, descending: true), fields.Key, descending: true);
        var descending = request.Sort.StartsWith('-');
        return ThenBy(Order(query, column, descending), fields.Key, descending);
    }

    private static object Day(ModelField field, DateOnly day) =>
        field.Type == typeof(DateOnly) ? day : day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

    private static readonly ParameterExpression Row = Expression.Parameter(typeof(T), "row");

    /// <summary>row => row.Field (op) value, with the value as a query parameter.</summary>
    private static Expression<Func<T, bool>> Where(ModelField field, ExpressionType op, object value)
    {
        var property = Expression.Property(Row, field.Property);
        Expression parameter = Parameter(value, value.GetType());
        if (parameter.Type != property.Type) parameter = Expression.Convert(parameter, property.Type);
        return Expression.Lambda<Func<T, bool>>(Expression.MakeBinary(op, property, parameter), Row);
    }

    /// <summary>A value that EF Core sends as a parameter rather than writing it into the SQL.</summary>
    private static MemberExpression Parameter(object value, Type type) =>
        Expression.Field(Expression.Constant(Activator.CreateInstance(typeof(StrongBox<>).MakeGenericType(type), value)), "Value");

    private static readonly MethodInfo Like = typeof(DbFunctionsExtensions).GetMethod(nameof(DbFunctionsExtensions.Like),
        [typeof(DbFunctions), typeof(string), typeof(string), typeof(string)])!;

    private static readonly MethodInfo ToLower = typeof(string).GetMethod(nameof(string.ToLower), Type.EmptyTypes)!;

    /// <summary>row => LIKE on any of the fields, lower-cased, with the pattern's own wildcards escaped.</summary>
    private static Expression<Func<T, bool>> Matches(IEnumerable<ModelField> fields, string pattern)
    {
        var functions = Expression.Property(null, typeof(EF), nameof(EF.Functions));
        var value = Parameter(pattern, typeof(string));
        var escape = Expression.Constant(LikePattern.Escape);
        var any = fields
            .Select(f => (Expression)Expression.Call(Like, functions, Expression.Call(Expression.Property(Row, f.Property), ToLower), value, escape))
            .Aggregate(Expression.OrElse);
        return Expression.Lambda<Func<T, bool>>(any, Row);
    }

    private static IOrderedQueryable<T> Order(IQueryable<T> query, ModelField field, bool descending) =>
        Typed.Call<IOrderedQueryable<T>>(nameof(Typed.OrderBy), field.Property.PropertyType, query, field.Property, descending);

    private static IOrderedQueryable<T> ThenBy(IOrderedQueryable<T> query, ModelField field, bool descending) =>
        Typed.Call<IOrderedQueryable<T>>(nameof(Typed.ThenBy), field.Property.PropertyType, query, field.Property, descending);

    /// <summary>Queries that need the column's type as a type argument, called with it by reflection.</summary>
    private static class Typed
    {
        public static TResult Call<TResult>(string method, Type valueType, params object[] args) =>
            (TResult)typeof(Typed).GetMethod(method)!.MakeGenericMethod(valueType).Invoke(null, args)!;

        private static Expression<Func<T, TValue>> Select<TValue>(PropertyInfo property) =>
            Expression.Lambda<Func<T, TValue>>(Expression.Property(Row, property), Row);

        public static IOrderedQueryable<T> OrderBy<TValue>(IQueryable<T> query, PropertyInfo property, bool descending) =>
            descending ? query.OrderByDescending(Select<TValue>(property)) : query.OrderBy(Select<TValue>(property));

        public static IOrderedQueryable<T> ThenBy<TValue>(IOrderedQueryable<T> query, PropertyInfo property, bool descending) =>
            descending ? query.ThenByDescending(Select<TValue>(property)) : query.ThenBy(Select<TValue>(property));

        public static IQueryable<T> WhereIn<TValue>(IQueryable<T> query, PropertyInfo property, List<object> values)
        {
            var typed = values.Cast<TValue>().ToList();
            var contains = Expression.Call(typeof(Enumerable), nameof(Enumerable.Contains), [typeof(TValue)],
                Expression.Field(Expression.Constant(new StrongBox<List<TValue>>(typed)), "Value"), Expression.Property(Row, property));
            return query.Where(Expression.Lambda<Func<T, bool>>(contains, Row));
        }

        public static async Task<List<object?>> DistinctAsync<TValue>(IQueryable<T> query, PropertyInfo property, int take, CancellationToken cancellationToken)
        {
            var values = await query.Select(Select<TValue>(property)).Distinct().OrderBy(v => v).Take(take).ToListAsync(cancellationToken);
            return [.. values.Cast<object?>()];
        }
    }
}
