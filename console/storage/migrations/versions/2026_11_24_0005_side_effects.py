"""side effects: versioned clinic lists, logged effects, rescue treatments, discharge review,
follow-ups between sessions

Revision ID: 0005_side_effects
Revises: 0004_monitoring
Create Date: 2026-11-24 23:31:04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import console.storage.base

revision = '0005_side_effects'
down_revision = '0004_monitoring'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('side_effect_list',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('items', sa.Text(), nullable=False),
    sa.Column('changed_at', console.storage.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('changed_by', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['changed_by'], ['user_account.id'], name=op.f('fk_side_effect_list_changed_by_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_side_effect_list')),
    sa.UniqueConstraint('kind', 'version', name='uq_side_effect_list_version')
    )
    op.create_table('side_effect_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('answers', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=False),
    sa.Column('recorded_at', console.storage.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['list_id'], ['side_effect_list.id'], name=op.f('fk_side_effect_review_list_id_side_effect_list')),
    sa.ForeignKeyConstraint(['recorded_by'], ['user_account.id'], name=op.f('fk_side_effect_review_recorded_by_user_account')),
    sa.ForeignKeyConstraint(['session_id'], ['infusion_session.id'], name=op.f('fk_side_effect_review_session_id_infusion_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_side_effect_review'))
    )
    with op.batch_alter_table('side_effect_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_side_effect_review_session_id'), ['session_id'], unique=False)

    op.create_table('side_effect',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('term_code', sa.String(length=40), nullable=False),
    sa.Column('term_label', sa.String(length=80), nullable=False),
    sa.Column('other_text', sa.Text(), nullable=False),
    sa.Column('onset_at', console.storage.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('grade', sa.Integer(), nullable=False),
    sa.Column('serious', sa.Boolean(), nullable=False),
    sa.Column('relationship', sa.String(length=20), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('linked_event_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=30), nullable=True),
    sa.Column('resolved_at', console.storage.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('outcome_note', sa.Text(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=False),
    sa.Column('recorded_at', console.storage.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('notified_name', sa.String(length=100), nullable=True),
    sa.Column('notified_user_id', sa.Integer(), nullable=True),
    sa.Column('notified_at', console.storage.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('notification_by', sa.Integer(), nullable=True),
    sa.Column('notification_recorded_at', console.storage.base.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['linked_event_id'], ['infusion_event.id'], name=op.f('fk_side_effect_linked_event_id_infusion_event')),
    sa.ForeignKeyConstraint(['list_id'], ['side_effect_list.id'], name=op.f('fk_side_effect_list_id_side_effect_list')),
    sa.ForeignKeyConstraint(['notification_by'], ['user_account.id'], name=op.f('fk_side_effect_notification_by_user_account')),
    sa.ForeignKeyConstraint(['notified_user_id'], ['user_account.id'], name=op.f('fk_side_effect_notified_user_id_user_account')),
    sa.ForeignKeyConstraint(['recorded_by'], ['user_account.id'], name=op.f('fk_side_effect_recorded_by_user_account')),
    sa.ForeignKeyConstraint(['session_id'], ['infusion_session.id'], name=op.f('fk_side_effect_session_id_infusion_session')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_side_effect'))
    )
    with op.batch_alter_table('side_effect', schema=None) as batch_op:
        batch_op.create_index('ix_side_effect_session_onset', ['session_id', 'onset_at'], unique=False)

    op.create_table('follow_up',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('observed_on', sa.Date(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('alt_u_per_l', console.storage.base.DecimalText(length=40), nullable=True),
    sa.Column('ast_u_per_l', console.storage.base.DecimalText(length=40), nullable=True),
    sa.Column('alp_u_per_l', console.storage.base.DecimalText(length=40), nullable=True),
    sa.Column('ggt_u_per_l', console.storage.base.DecimalText(length=40), nullable=True),
    sa.Column('bilirubin', console.storage.base.DecimalText(length=40), nullable=True),
    sa.Column('bilirubin_unit', sa.String(length=10), nullable=True),
    sa.Column('effect_id', sa.Integer(), nullable=True),
    sa.Column('effect_outcome', sa.String(length=30), nullable=True),
    sa.Column('recorded_by', sa.Integer(), nullable=False),
    sa.Column('recorded_at', console.storage.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['effect_id'], ['side_effect.id'], name=op.f('fk_follow_up_effect_id_side_effect')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_follow_up_patient_id_patient')),
    sa.ForeignKeyConstraint(['recorded_by'], ['user_account.id'], name=op.f('fk_follow_up_recorded_by_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_up'))
    )
    with op.batch_alter_table('follow_up', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_follow_up_patient_id'), ['patient_id'], unique=False)

    op.create_table('side_effect_treatment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('effect_id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('medication_code', sa.String(length=40), nullable=False),
    sa.Column('medication_name', sa.String(length=80), nullable=False),
    sa.Column('dose', console.storage.base.DecimalText(length=40), nullable=False),
    sa.Column('unit', sa.String(length=10), nullable=False),
    sa.Column('route', sa.String(length=20), nullable=False),
    sa.Column('given_at', console.storage.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('given_by', sa.String(length=100), nullable=False),
    sa.Column('recorded_by', sa.Integer(), nullable=False),
    sa.Column('recorded_at', console.storage.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['effect_id'], ['side_effect.id'], name=op.f('fk_side_effect_treatment_effect_id_side_effect')),
    sa.ForeignKeyConstraint(['list_id'], ['side_effect_list.id'], name=op.f('fk_side_effect_treatment_list_id_side_effect_list')),
    sa.ForeignKeyConstraint(['recorded_by'], ['user_account.id'], name=op.f('fk_side_effect_treatment_recorded_by_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_side_effect_treatment'))
    )
    with op.batch_alter_table('side_effect_treatment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_side_effect_treatment_effect_id'), ['effect_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('side_effect_treatment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_side_effect_treatment_effect_id'))

    op.drop_table('side_effect_treatment')
    with op.batch_alter_table('follow_up', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_up_patient_id'))

    op.drop_table('follow_up')
    with op.batch_alter_table('side_effect', schema=None) as batch_op:
        batch_op.drop_index('ix_side_effect_session_onset')

    op.drop_table('side_effect')
    with op.batch_alter_table('side_effect_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_side_effect_review_session_id'))

    op.drop_table('side_effect_review')
    op.drop_table('side_effect_list')
