package dev.ledger.postgres;

import dev.ledger.core.Account;
import java.util.Optional;
import org.jdbi.v3.core.statement.DefinedAttributeTemplateEngine;
import org.jdbi.v3.sqlobject.config.UseTemplateEngine;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.UseRowMapper;

/** Account lookups as a Jdbi SqlObject; {@code <schema>} is the store's validated schema name. */
@UseTemplateEngine(DefinedAttributeTemplateEngine.class)
interface AccountReads {
  @SqlQuery("SELECT id, currency, issuer, opened_at FROM <schema>.account WHERE id = :id")
  @UseRowMapper(AccountMapper.class)
  Optional<Account> find(@Bind("id") String id);

  /** Maps a row of the account table. */
  final class AccountMapper implements org.jdbi.v3.core.mapper.RowMapper<Account> {
    @Override
    public Account map(java.sql.ResultSet rs, org.jdbi.v3.core.statement.StatementContext ctx)
        throws java.sql.SQLException {
      return Rows.account(rs);
    }
  }
}
